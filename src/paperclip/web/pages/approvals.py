"""Approvals: pending / all lists, an approval's detail with its payload, comments and linked issues,
and the board's decision (approve / reject / request revision) with a note.

    /<P>/approvals -> /<P>/approvals/pending    /<P>/approvals/all    /<P>/approvals/<id>
"""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from fastapi import APIRouter

from paperclip.approvals import service as approvals
from paperclip.approvals.schemas import ApprovalCommentCreate, Decision
from paperclip.db.models import Agent, Approval
from paperclip.errors import NotFound
from paperclip.web import queries
from paperclip.web.context import CompanyPage, Page
from paperclip.web.forms import form_data
from paperclip.web.pages.agents import agent_hrefs
from paperclip.web.pages.formkit import WRITE, body, field_error, render_page
from paperclip.web.pages.formkit import Page as Pager
from paperclip.web.render import done, redirect

router = APIRouter()
OPEN = ("pending", "revision_requested")
TYPE_LABELS = {
    "hire_agent": "Hire an agent",
    "approve_ceo_strategy": "CEO strategy",
    "budget_override_required": "Budget override",
    "request_board_approval": "Board approval",
}
DECISIONS = {"approve": "approved", "reject": "rejected", "request-revision": "revision requested"}


@router.get("/{prefix}/approvals")
async def approvals_root(page: CompanyPage):
    return redirect(f"/{page.prefix}/approvals/pending")


async def _list(page: Page, which: str):
    stmt = sa.select(Approval).where(Approval.company_id == page.company.id)
    if which == "pending":
        stmt = stmt.where(Approval.status.in_(OPEN))
    pager = Pager.of(page.request, 25)
    rows = list(
        await page.session.scalars(
            stmt.order_by(Approval.created_at.desc(), Approval.id).limit(pager.fetch).offset(pager.offset)
        )
    )
    items, has_next = pager.window(rows)
    pending = await queries.APPROVAL_COUNT_IN_STATUSES.fetchval(
        page.session, cid=page.company.id, statuses=list(OPEN)
    )
    return await render_page(
        page,
        "approvals/list.html",
        approvals=items,
        which=which,
        pager=pager,
        has_next=has_next,
        pending_count=pending,
        names=await _agent_names(page),
        hrefs=await agent_hrefs(page),
        labels=TYPE_LABELS,
    )


async def _agent_names(page: Page) -> dict[uuid.UUID, str]:
    rows = await queries.AGENT_NAMES.fetch(page.session, cid=page.company.id)
    return {r["id"]: r["name"] for r in rows}


@router.get("/{prefix}/approvals/pending")
async def approvals_pending(page: CompanyPage):
    return await _list(page, "pending")


@router.get("/{prefix}/approvals/all")
async def approvals_all(page: CompanyPage):
    return await _list(page, "all")


async def _find(page: Page, approval_id: str) -> Approval:
    try:
        aid = uuid.UUID(approval_id)
    except ValueError:
        raise NotFound("Approval not found") from None
    approval = await approvals.get_approval(page.session, page.actor, aid)
    if approval.company_id != page.company.id:
        raise NotFound("Approval not found")
    return approval


@router.get("/{prefix}/approvals/{approval_id}")
async def approval_detail(page: CompanyPage, approval_id: str):
    approval = await _find(page, approval_id)
    comments = await approvals.list_comments(page.session, page.actor, approval.id)
    issues = await approvals.approval_issues(page.session, page.actor, approval.id)
    payload = approval.payload or {}
    hired = None
    if approval.type == "hire_agent" and payload.get("agentId"):
        try:
            hired = await page.session.get(Agent, uuid.UUID(str(payload["agentId"])))
        except ValueError:
            hired = None
    return await render_page(
        page,
        "approvals/detail.html",
        approval=approval,
        comments=comments,
        issues=issues,
        payload=payload,
        payload_json=json.dumps(payload, indent=2, default=str),
        hired=hired,
        names=await _agent_names(page),
        hrefs=await agent_hrefs(page),
        labels=TYPE_LABELS,
        decidable=approval.status in OPEN,
    )


@router.post("/{prefix}/approvals/{approval_id}/decide", dependencies=WRITE)
async def decide(page: CompanyPage, approval_id: str):
    approval = await _find(page, approval_id)
    form = await form_data(page.request)
    action = form.text("decision")
    if action not in DECISIONS:
        raise field_error("decision", "Choose approve, reject or request revision")
    note = body(Decision, {"decisionNote": form.text("note") or None}).decisionNote
    if action == "request-revision" and not note:
        raise field_error("note", "Say what should change: the requester reads this note")
    await approvals.decide(page.session, page.actor, approval.id, action, note, page.now)
    return done(page.request, f"/{page.prefix}/approvals/{approval.id}")


@router.post("/{prefix}/approvals/{approval_id}/comments", dependencies=WRITE)
async def comment(page: CompanyPage, approval_id: str):
    approval = await _find(page, approval_id)
    form = await form_data(page.request)
    text = body(ApprovalCommentCreate, {"body": form.text("body")}).body
    await approvals.add_comment(page.session, page.actor, approval.id, text, page.now)
    return done(page.request, f"/{page.prefix}/approvals/{approval.id}#comments")

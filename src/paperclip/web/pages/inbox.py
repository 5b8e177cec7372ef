"""Inbox: what needs the signed-in board member — issues assigned to them, issues they created that
wait for review or are blocked, pending approvals and failed runs."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.web import queries
from paperclip.web.context import CompanyPage
from paperclip.web.lookups import by_id, company_agents
from paperclip.web.render import render

router = APIRouter()

OPEN = ("backlog", "todo", "in_progress", "in_review", "blocked")


def _params(actor: Actor, company_id: uuid.UUID) -> dict:
    return {"cid": company_id, "user": actor.user_id or "", "open": list(OPEN)}


async def badge_counts(session: AsyncSession, actor: Actor, company_id: uuid.UUID) -> dict[str, int]:
    row = await queries.INBOX_BADGE_COUNTS.fetchrow(session, **_params(actor, company_id))
    assert row is not None  # one row of two counts, always
    return {"inbox": row["inbox"], "approvals": row["approvals"]}


@router.get("/{prefix}/inbox")
async def inbox(request: Request, page: CompanyPage):
    params = _params(page.actor, page.company.id)
    issues = await queries.INBOX_ISSUES.fetch(page.session, **params)
    approvals = await queries.PENDING_APPROVALS.fetch(page.session, cid=page.company.id)
    failed = await queries.UNDISMISSED_FAILED_RUNS.fetch(page.session, cid=page.company.id)
    agents = by_id(await company_agents(page.session, page.company.id))
    user = page.actor.user_id
    return await render(
        request,
        "inbox/index.html",
        assigned=[i for i in issues if i["assignee_user_id"] == user],
        review=[i for i in issues if i["assignee_user_id"] != user],
        approvals=approvals,
        failed=failed,
        agents_by_id=agents,
    )

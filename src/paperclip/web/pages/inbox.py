"""Inbox: what needs the signed-in board member — issues assigned to them, issues they created that
wait for review or are blocked, pending approvals and failed runs."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.web.context import CompanyPage
from paperclip.web.lookups import by_id, company_agents
from paperclip.web.render import render

router = APIRouter()

OPEN = ("backlog", "todo", "in_progress", "in_review", "blocked")
_MINE = """(i.assignee_user_id = :user AND i.status = ANY(CAST(:open AS text[])))
        OR (i.created_by_user_id = :user AND i.status IN ('in_review', 'blocked'))"""
_ISSUES = sa.text(f"""SELECT i.id, i.identifier, i.title, i.status, i.priority, i.assignee_agent_id,
       i.assignee_user_id, i.created_by_user_id, i.updated_at
  FROM issues i WHERE i.company_id = :cid AND i.hidden_at IS NULL AND ({_MINE})
 ORDER BY i.updated_at DESC LIMIT 200""")
_COUNTS = sa.text(f"""SELECT
  (SELECT count(*) FROM issues i WHERE i.company_id = :cid AND i.hidden_at IS NULL AND ({_MINE})) AS inbox,
  (SELECT count(*) FROM approvals a WHERE a.company_id = :cid AND a.status = 'pending') AS approvals""")
_APPROVALS = sa.text("""SELECT id, type, status, payload, created_at FROM approvals
 WHERE company_id = :cid AND status = 'pending' ORDER BY created_at DESC LIMIT 50""")
_FAILED = sa.text("""SELECT r.id, r.status, r.error_code, r.error, r.created_at, a.name AS agent_name
  FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
 WHERE r.company_id = :cid AND r.status IN ('failed', 'timed_out') AND r.dismissed_at IS NULL
   AND r.created_at >= now() - interval '3 days' ORDER BY r.created_at DESC LIMIT 20""")


def _params(actor: Actor, company_id: uuid.UUID) -> dict:
    return {"cid": company_id, "user": actor.user_id or "", "open": list(OPEN)}


async def badge_counts(session: AsyncSession, actor: Actor, company_id: uuid.UUID) -> dict[str, int]:
    row = (await session.execute(_COUNTS, _params(actor, company_id))).one()
    return {"inbox": row.inbox, "approvals": row.approvals}


@router.get("/{prefix}/inbox")
async def inbox(request: Request, page: CompanyPage):
    params = _params(page.actor, page.company.id)
    issues = (await page.session.execute(_ISSUES, params)).mappings().all()
    approvals = (await page.session.execute(_APPROVALS, params)).mappings().all()
    failed = (await page.session.execute(_FAILED, params)).mappings().all()
    agents = by_id(await company_agents(page.session, page.company.id))
    user = page.actor.user_id
    return await render(
        request,
        "inbox/index.html",
        assigned=[i for i in issues if i.assignee_user_id == user],
        review=[i for i in issues if i.assignee_user_id != user],
        approvals=approvals,
        failed=failed,
        agents_by_id=agents,
    )

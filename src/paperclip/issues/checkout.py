"""Atomic checkout (§7.3): ONE conditional UPDATE decides the winner; release; run ownership.

A checkout lock (`checkout_run_id`) is live while its heartbeat run is queued or running; a lock
whose run is terminal or gone is stale and may be adopted by the same agent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Agent, HeartbeatRun, Issue
from paperclip.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from paperclip.issues.identifiers import find_issue, issue_ref_clause
from paperclip.issues.listing import LABEL_JSON
from paperclip.issues.references import UNASSIGNABLE_AGENT_STATUSES
from paperclip.issues.schemas import CheckoutBody
from paperclip.wire import uid

ISSUES = Issue.__table__
RUNS = HeartbeatRun.__table__
AGENTS = Agent.__table__
LIVE_RUN_STATUSES = ("queued", "running", "scheduled_retry")


def _run_is_stale(column) -> Any:
    """SQL: the run named by `column` is missing or no longer live."""
    return ~sa.exists().where(RUNS.c.id == column, RUNS.c.status.in_(LIVE_RUN_STATUSES))


def lock_details(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "issueId": str(row["id"]),
        "status": row["status"],
        "assigneeAgentId": uid(row["assignee_agent_id"]),
        "checkoutRunId": uid(row["checkout_run_id"]),
        "executionRunId": uid(row["execution_run_id"]),
    }


def require_run_id(actor: Actor) -> uuid.UUID:
    if actor.run_id is None:
        raise Unauthorized("Agent run id required")
    return actor.run_id


LABELS_OF_ROW = sa.literal_column(
    f"(SELECT COALESCE(json_agg({LABEL_JSON} ORDER BY l.name, l.id), '[]'::json) "
    "FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = issues.id)").label("labels_json")


async def checkout(session: AsyncSession, actor: Actor, ref: str, body: CheckoutBody, now: datetime) -> RowMapping:
    """Returns the issue row with `labels_json`."""
    agent_id = body.agentId
    found = (await session.execute(
        sa.select(ISSUES.c.id, ISSUES.c.company_id, AGENTS.c.company_id.label("agent_company_id"),
                  AGENTS.c.status.label("agent_status"), AGENTS.c.name.label("agent_name"))
        .select_from(ISSUES.outerjoin(AGENTS, AGENTS.c.id == agent_id))
        .where(issue_ref_clause(ref)))).first()
    if found is None:
        raise NotFound("Issue not found")
    issue_id, company_id = found.id, found.company_id
    actor.require_company(company_id)
    if actor.is_agent:
        if agent_id != actor.agent_id:
            raise Forbidden("Agent can only checkout as itself")
        run_id: uuid.UUID | None = require_run_id(actor)
    else:
        run_id = actor.run_id
    if found.agent_company_id is None:
        raise NotFound("Agent not found")
    if found.agent_company_id != company_id:
        raise Unprocessable("Assignee agent must belong to the same company")
    if found.agent_status in UNASSIGNABLE_AGENT_STATUSES:
        raise Unprocessable(f"Cannot assign work to an agent with status {found.agent_status}")
    expected = list(dict.fromkeys(body.expectedStatuses))

    same_run = ISSUES.c.checkout_run_id.is_not_distinct_from(run_id)
    claim = (
        sa.update(ISSUES)
        .where(
            ISSUES.c.id == issue_id,
            ISSUES.c.status.in_(expected),
            sa.or_(
                ISSUES.c.assignee_agent_id.is_(None),
                sa.and_(ISSUES.c.assignee_agent_id == agent_id,
                        sa.or_(ISSUES.c.checkout_run_id.is_(None), same_run, _run_is_stale(ISSUES.c.checkout_run_id))),
            ),
            sa.or_(ISSUES.c.execution_run_id.is_(None), ISSUES.c.execution_run_id.is_not_distinct_from(run_id),
                   _run_is_stale(ISSUES.c.execution_run_id)),
        )
        .values(
            assignee_agent_id=agent_id, assignee_user_id=None, checkout_run_id=run_id, execution_run_id=run_id,
            execution_agent_name_key=found.agent_name.strip().lower(), execution_locked_at=now, status="in_progress",
            started_at=sa.case((sa.and_(ISSUES.c.status == "in_progress", ISSUES.c.started_at.is_not(None)),
                                ISSUES.c.started_at), else_=now),
            completed_at=None, cancelled_at=None, updated_at=now,
        )
        .returning(ISSUES, LABELS_OF_ROW)
    )
    row = (await session.execute(claim)).mappings().first()
    if row is None:
        current = (await session.execute(
            sa.select(ISSUES, LABELS_OF_ROW).where(ISSUES.c.id == issue_id))).mappings().one()
        idempotent = (current["status"] == "in_progress" and current["assignee_agent_id"] == agent_id
                      and current["checkout_run_id"] == run_id)
        if not idempotent:
            raise Conflict("Issue checkout conflict", details=lock_details(current))
        row = current
    await record(session, actor, company_id=company_id, action="issue.checked_out", entity_type="issue",
                 entity_id=issue_id, details={"agentId": str(agent_id), "identifier": row["identifier"]})
    return row


async def assert_checkout_owner(session: AsyncSession, actor: Actor, issue: Mapping[str, Any], now: datetime) -> None:
    """An agent changing an in_progress issue must be its assignee holding the checkout run (a stale or
    empty lock is adopted by the assignee's current run)."""
    if not actor.is_agent or issue["status"] != "in_progress":
        return
    run_id = require_run_id(actor)
    if issue["assignee_agent_id"] == actor.agent_id:
        if issue["checkout_run_id"] == run_id:
            return
        adopted = await session.execute(
            sa.update(ISSUES)
            .where(ISSUES.c.id == issue["id"], ISSUES.c.assignee_agent_id == actor.agent_id,
                   sa.or_(ISSUES.c.checkout_run_id.is_(None), _run_is_stale(ISSUES.c.checkout_run_id)))
            .values(checkout_run_id=run_id, execution_run_id=run_id, execution_locked_at=now)
            .returning(ISSUES.c.id))
        if adopted.first() is not None:
            return
    raise Conflict("Issue run ownership conflict", details={
        **lock_details(issue), "actorAgentId": uid(actor.agent_id), "actorRunId": uid(actor.run_id)})


async def release(session: AsyncSession, actor: Actor, ref: str, now: datetime) -> RowMapping:
    issue = await find_issue(session, ref, for_update=True)
    actor.require_company(issue["company_id"])
    if actor.is_agent:
        if issue["assignee_agent_id"] != actor.agent_id:
            raise Conflict("Only assignee can release issue", details=lock_details(issue))
        if issue["status"] == "in_progress" and issue["checkout_run_id"] is not None:
            run_id = require_run_id(actor)
            if issue["checkout_run_id"] != run_id:
                live = await session.scalar(sa.select(sa.exists().where(
                    RUNS.c.id == issue["checkout_run_id"], RUNS.c.status.in_(LIVE_RUN_STATUSES))))
                if live:
                    raise Conflict("Only checkout run can release issue", details=lock_details(issue))
    values: dict[str, Any] = dict(assignee_agent_id=None, assignee_user_id=None, checkout_run_id=None,
                                  execution_run_id=None, execution_locked_at=None, execution_agent_name_key=None,
                                  updated_at=now)
    if issue["status"] not in ("done", "cancelled"):
        values["status"] = "todo"
    row = (await session.execute(
        sa.update(ISSUES).where(ISSUES.c.id == issue["id"]).values(**values).returning(ISSUES, LABELS_OF_ROW)
    )).mappings().one()
    await record(session, actor, company_id=issue["company_id"], action="issue.released", entity_type="issue",
                 entity_id=issue["id"], details={"identifier": issue["identifier"],
                                                 "previousAssigneeAgentId": uid(issue["assignee_agent_id"])})
    return row

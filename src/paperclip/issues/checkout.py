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
from pydantic_core import to_json
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import actor_params, record
from paperclip.auth.actor import Actor
from paperclip.db.models import HeartbeatRun, Issue
from paperclip.db.tree_holds import hold_details
from paperclip.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from paperclip.heartbeat.project_stop import paused_details, paused_message
from paperclip.issues import queries
from paperclip.issues.identifiers import IDENTIFIER_RE, accessible_companies, find_issue, parse_uuid
from paperclip.issues.schemas import CheckoutBody
from paperclip.issues.shapes import issue_to_wire
from paperclip.issues.wire import LABELS_OF
from paperclip.vocabulary import AGENT_UNASSIGNABLE, ISSUE_TERMINAL, RUN_LIVE
from paperclip.wire import uid

ISSUES = Issue.__table__
RUNS = HeartbeatRun.__table__


def _run_is_stale(column) -> Any:
    """SQL: the run named by `column` is missing or no longer live."""
    return ~sa.exists().where(RUNS.c.id == column, RUNS.c.status.in_(RUN_LIVE))


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


LABELS_OF_ROW = sa.literal_column(LABELS_OF.format(a="issues")).label("labels_json")


async def checkout(session: AsyncSession, actor: Actor, ref: str, body: CheckoutBody, now: datetime) -> bytes:
    """Returns the checked-out issue as wire JSON. One statement decides, claims and logs;
    the refusals are then raised in the order of the original's checks."""
    agent_id = body.agentId
    parsed = parse_uuid(ref)
    if parsed is not None:
        query, params = queries.CHECKOUT_BY_ID, {"id": parsed}
    elif IDENTIFIER_RE.match(ref):
        query, params = queries.CHECKOUT_BY_IDENTIFIER, {"identifier": ref.upper()}
    else:
        raise NotFound("Issue not found")
    run_id = actor.run_id
    may_claim = not actor.is_agent or (agent_id == actor.agent_id and run_id is not None)
    params.update(
        actor_params(actor),
        agent_id=agent_id,
        run_id=run_id,
        now=now,
        may_claim=may_claim,
        companies=accessible_companies(actor),
        expected=list(dict.fromkeys(body.expectedStatuses)),
    )
    found = await query.fetchrow(session, **params)
    if found is None:
        raise NotFound("Issue not found")
    company_id = found["cur_company_id"]
    actor.require_company(company_id)
    if found["paused_project_id"] is not None:  # §8.3: a paused project's issues are not checked out
        raise Conflict(
            paused_message(found["paused_project_reason"]),
            details=paused_details(found["paused_project_id"], found["paused_project_reason"]),
        )
    if found["held_hold_id"] is not None:  # the issue or an ancestor is paused by a tree hold
        raise Conflict(
            "Issue checkout blocked by active subtree pause hold",
            details=hold_details(found["cur_id"], found["held_hold_id"], found["held_root_issue_id"]),
        )
    if actor.is_agent:
        if agent_id != actor.agent_id:
            raise Forbidden("Agent can only checkout as itself")
        require_run_id(actor)
    if found["agent_company_id"] is None:
        raise NotFound("Agent not found")
    if found["agent_company_id"] != company_id:
        raise Unprocessable("Assignee agent must belong to the same company")
    if found["agent_status"] in AGENT_UNASSIGNABLE:
        raise Unprocessable(f"Cannot assign work to an agent with status {found['agent_status']}")
    if found["id"] is None:  # not claimed
        if not found["idempotent"]:
            raise Conflict(
                "Issue checkout conflict",
                details={
                    "issueId": str(found["cur_id"]),
                    "status": found["cur_status"],
                    "assigneeAgentId": uid(found["cur_assignee_agent_id"]),
                    "checkoutRunId": uid(found["cur_checkout_run_id"]),
                    "executionRunId": uid(found["cur_execution_run_id"]),
                },
            )
        await record(
            session,
            actor,
            company_id=company_id,
            action="issue.checked_out",
            entity_type="issue",
            entity_id=found["cur_id"],
            details={"agentId": str(agent_id), "identifier": found["cur_identifier"]},
        )
        return await queries.ISSUE_WIRE_BY_ID.fetchval(session, id=found["cur_id"])
    row = dict(found)
    name_key = found["agent_name"].strip().lower()
    if (
        found["execution_agent_name_key"] != name_key
    ):  # a name SQL cannot lower-case like Python (outside ASCII)
        await session.execute(
            sa.update(ISSUES)
            .where(ISSUES.c.id == found["id"])
            .values(execution_agent_name_key=name_key, updated_at=now)
        )
        row["execution_agent_name_key"] = name_key
    return to_json(issue_to_wire(row, found["labels_json"]))


async def assert_checkout_owner(
    session: AsyncSession, actor: Actor, issue: Mapping[str, Any], now: datetime
) -> None:
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
            .where(
                ISSUES.c.id == issue["id"],
                ISSUES.c.assignee_agent_id == actor.agent_id,
                sa.or_(ISSUES.c.checkout_run_id.is_(None), _run_is_stale(ISSUES.c.checkout_run_id)),
            )
            .values(checkout_run_id=run_id, execution_run_id=run_id, execution_locked_at=now)
            .returning(ISSUES.c.id)
        )
        if adopted.first() is not None:
            return
    raise Conflict(
        "Issue run ownership conflict",
        details={**lock_details(issue), "actorAgentId": uid(actor.agent_id), "actorRunId": uid(actor.run_id)},
    )


async def release(session: AsyncSession, actor: Actor, ref: str, now: datetime) -> RowMapping:
    issue = await find_issue(session, ref, for_update=True)
    actor.require_company(issue["company_id"])
    if actor.is_agent:
        if issue["assignee_agent_id"] != actor.agent_id:
            raise Conflict("Only assignee can release issue", details=lock_details(issue))
        if issue["status"] == "in_progress" and issue["checkout_run_id"] is not None:
            run_id = require_run_id(actor)
            if issue["checkout_run_id"] != run_id:
                live = await session.scalar(
                    sa.select(
                        sa.exists().where(RUNS.c.id == issue["checkout_run_id"], RUNS.c.status.in_(RUN_LIVE))
                    )
                )
                if live:
                    raise Conflict("Only checkout run can release issue", details=lock_details(issue))
    values: dict[str, Any] = dict(
        assignee_agent_id=None,
        assignee_user_id=None,
        checkout_run_id=None,
        execution_run_id=None,
        execution_locked_at=None,
        execution_agent_name_key=None,
        updated_at=now,
    )
    if issue["status"] not in ISSUE_TERMINAL:
        values["status"] = "todo"
    row = (
        (
            await session.execute(
                sa.update(ISSUES)
                .where(ISSUES.c.id == issue["id"])
                .values(**values)
                .returning(ISSUES, LABELS_OF_ROW)
            )
        )
        .mappings()
        .one()
    )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.released",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "identifier": issue["identifier"],
            "previousAssigneeAgentId": uid(issue["assignee_agent_id"]),
        },
    )
    return row

"""One firing of a routine: a routine_runs row and its outcome (core §2.17).

Every source (schedule tick, manual/api run, webhook) comes through `dispatch`. The routine row is
locked first (FOR UPDATE), so concurrent firings of one routine — two replicas, a tick and an API
call — are serialised and the concurrency policy sees the other's issue; the partial unique index
`issues_open_routine_execution_uq` backs that up in the database.

Policies (the open issue is a routine_execution issue of this routine, not done/cancelled/hidden,
asking for the same variable values — the run's dispatch fingerprint):
- coalesce_if_active: an open issue exists → the run is `coalesced`, linked to it and to the run that
  created it; no new issue.
- skip_if_active: an open issue exists → the run is `skipped`, linked to it; no new issue.
- always_enqueue: always a new issue (its index fingerprint is the run's id, so it never collides).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Issue, Routine, RoutineRun, RoutineTrigger
from paperclip.errors import AppError, Conflict, Unprocessable
from paperclip.issues.creation import insert_issue
from paperclip.issues.references import check_agent_assignee
from paperclip.issues.wakes import Wakes
from paperclip.routines import variables as variables_
from paperclip.vocabulary import ISSUE_OPEN

ORIGIN_KIND = "routine_execution"


@dataclass
class Fired:
    run: RoutineRun
    existing: bool = False  # an idempotency key named a run made before


def _open_issue_query(routine: Routine, fingerprint: str):
    issues = Issue.__table__
    return (
        sa.select(issues.c.id, issues.c.origin_run_id)
        .where(
            issues.c.company_id == routine.company_id,
            issues.c.origin_kind == ORIGIN_KIND,
            issues.c.origin_id == str(routine.id),
            issues.c.origin_fingerprint == fingerprint,
            issues.c.hidden_at.is_(None),
            issues.c.status.in_(sorted(ISSUE_OPEN)),
        )
        .order_by(issues.c.created_at)
        .limit(1)
    )


async def find_by_key(session: AsyncSession, routine_id: uuid.UUID, key: str) -> RoutineRun | None:
    return await session.scalar(
        sa.select(RoutineRun).where(RoutineRun.routine_id == routine_id, RoutineRun.idempotency_key == key)
    )


async def lock_routine(session: AsyncSession, routine_id: uuid.UUID) -> Routine | None:
    return await session.scalar(sa.select(Routine).where(Routine.id == routine_id).with_for_update())


async def dispatch(
    session: AsyncSession,
    actor: Actor,
    routine: Routine,
    *,
    source: str,
    now: datetime,
    trigger: RoutineTrigger | None = None,
    payload: Any = None,
    supplied: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    strict: bool = False,
) -> Fired:
    """Fire `routine` (already locked by the caller with `lock_routine`). `strict` (manual and api runs):
    a routine that cannot make an issue (no agent, missing variables) is refused with 4xx and nothing
    is written; otherwise (schedule, webhook) the run is recorded as `failed` with the reason."""
    if idempotency_key is not None:
        existing = await find_by_key(session, routine.id, idempotency_key)
        if existing is not None:
            return Fired(existing, existing=True)
    defs = list(routine.variables or [])
    values, missing = variables_.resolve(defs, supplied)
    failure = None
    if routine.assignee_agent_id is None:
        failure = "Default agent required"
    elif missing:
        failure = f"Missing routine variables: {', '.join(missing)}"
    if failure and strict:
        raise Unprocessable(failure)

    run = RoutineRun(
        id=uuid.uuid4(),
        company_id=routine.company_id,
        routine_id=routine.id,
        trigger_id=trigger.id if trigger is not None else None,
        source=source,
        status="received",
        triggered_at=now,
        idempotency_key=idempotency_key,
        trigger_payload=payload,
        dispatch_fingerprint=variables_.fingerprint(values),
        created_at=now,
        updated_at=now,
    )
    session.add(run)
    routine.last_triggered_at = now
    if failure is None:
        failure = await _settle(session, actor, routine, run, values, now, strict=strict)
    if failure is not None:
        run.status, run.failure_reason, run.completed_at = "failed", failure, now
    if trigger is not None:
        trigger.last_fired_at = now
        trigger.last_result = _result_text(run)
    await session.flush()
    await record(
        session,
        actor,
        company_id=routine.company_id,
        action="routine.run_triggered",
        entity_type="routine_run",
        entity_id=run.id,
        details={
            "routineId": str(routine.id),
            "source": source,
            "status": run.status,
            **({"triggerId": str(trigger.id)} if trigger is not None else {}),
            **({"issueId": str(run.linked_issue_id)} if run.linked_issue_id else {}),
        },
    )
    return Fired(run)


async def _settle(
    session: AsyncSession,
    actor: Actor,
    routine: Routine,
    run: RoutineRun,
    values: dict[str, str],
    now: datetime,
    *,
    strict: bool,
) -> str | None:
    """Apply the concurrency policy; returns a failure reason or None."""
    agent_id = routine.assignee_agent_id
    assert agent_id is not None  # dispatch fails a routine without an agent before coming here
    fingerprint = run.dispatch_fingerprint or "default"
    if routine.concurrency_policy != "always_enqueue":
        open_issue = (await session.execute(_open_issue_query(routine, fingerprint))).first()
        if open_issue is not None:
            _link_to_open(routine, run, open_issue, now)
            return None
    else:
        fingerprint = f"run:{run.id}"
    try:
        await check_agent_assignee(session, routine.company_id, agent_id)
    except AppError as exc:
        if strict:
            raise
        return exc.message
    await session.flush()  # the run row exists before the issue that points back at it
    try:
        async with session.begin_nested():
            row = await insert_issue(
                session,
                actor,
                dict(
                    company_id=routine.company_id,
                    project_id=routine.project_id,
                    goal_id=routine.goal_id,
                    parent_id=routine.parent_issue_id,
                    title=variables_.interpolate(routine.title, values),
                    description=variables_.interpolate(routine.description, values),
                    status="todo",
                    priority=routine.priority,
                    assignee_agent_id=routine.assignee_agent_id,
                    origin_kind=ORIGIN_KIND,
                    origin_id=str(routine.id),
                    origin_run_id=run.id,
                    origin_fingerprint=fingerprint,
                ),
                now,
            )
    except (IntegrityError, psycopg.errors.UniqueViolation):
        # an open issue appeared after our look (reopened by hand, or a firing that did not lock):
        # the index said no, so this run joins it under the policy instead of failing
        open_issue = (await session.execute(_open_issue_query(routine, fingerprint))).first()
        if open_issue is None:
            raise Conflict("Routine execution issue conflict") from None
        _link_to_open(routine, run, open_issue, now)
        return None
    run.status, run.linked_issue_id = "issue_created", row["id"]
    routine.last_enqueued_at = now
    await Wakes(actor, routine.company_id, now).assigned(session, row["id"], agent_id, "create")
    return None


async def record_failure(
    session: AsyncSession,
    actor: Actor,
    routine: Routine,
    *,
    source: str,
    now: datetime,
    trigger: RoutineTrigger | None,
    payload: Any,
    reason: str,
) -> RoutineRun:
    """A `failed` run for a firing that broke outside the policies (its own savepoint was rolled back)."""
    run = RoutineRun(
        id=uuid.uuid4(),
        company_id=routine.company_id,
        routine_id=routine.id,
        trigger_id=trigger.id if trigger is not None else None,
        source=source,
        status="failed",
        triggered_at=now,
        trigger_payload=payload,
        failure_reason=reason,
        completed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(run)
    if trigger is not None:
        trigger.last_fired_at, trigger.last_result = now, _result_text(run)
    await session.flush()
    await record(
        session,
        actor,
        company_id=routine.company_id,
        action="routine.run_triggered",
        entity_type="routine_run",
        entity_id=run.id,
        details={"routineId": str(routine.id), "source": source, "status": "failed"},
    )
    return run


def _link_to_open(routine: Routine, run: RoutineRun, open_issue: Any, now: datetime) -> None:
    run.linked_issue_id = open_issue.id
    run.completed_at = now
    if routine.concurrency_policy == "skip_if_active":
        run.status = "skipped"
    else:
        run.status = "coalesced"
        run.coalesced_into_run_id = open_issue.origin_run_id


def _result_text(run: RoutineRun) -> str:
    if run.status == "issue_created":
        return f"Created execution issue {run.linked_issue_id}"
    if run.status == "coalesced":
        return "Coalesced into an existing live execution issue"
    if run.status == "skipped":
        return "Skipped: an execution issue is still open"
    return f"Failed: {run.failure_reason}"

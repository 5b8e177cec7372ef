"""Routine use cases: list, get (with triggers, recent runs, the open issue), create, update, manual
and api runs, run history. Agents read every routine of their company and manage only routines
assigned to themselves (the original's rule); the board manages all; viewers read."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.companies.scoping import require_same_company
from paperclip.companies.service import get_company, require_company_exists
from paperclip.db.models import Agent, Goal, Issue, Project, Routine, RoutineRun, RoutineTrigger
from paperclip.db.paging import Window
from paperclip.errors import Conflict, Forbidden, NotFound, Unprocessable
from paperclip.ids import parse_uuid
from paperclip.issues.references import check_agent_assignee
from paperclip.routines import queries
from paperclip.routines import variables as variables_
from paperclip.routines.dispatch import ORIGIN_KIND, Fired, dispatch, lock_routine
from paperclip.routines.schemas import (
    RoutineCreate,
    RoutinePatch,
    RunRequest,
    issue_summary,
    routine_to_wire,
    run_to_wire,
    trigger_summary,
    trigger_to_wire,
)
from paperclip.vocabulary import ISSUE_OPEN
from paperclip.wire import iso

NOT_FOUND = "Routine not found"
MAX_RUNS = 200

_FIELDS = {
    "title": "title",
    "description": "description",
    "assigneeAgentId": "assignee_agent_id",
    "projectId": "project_id",
    "goalId": "goal_id",
    "parentIssueId": "parent_issue_id",
    "priority": "priority",
    "status": "status",
    "concurrencyPolicy": "concurrency_policy",
    "catchUpPolicy": "catch_up_policy",
}


def _by(actor: Actor) -> dict[str, Any]:
    return {"agent": actor.agent_id, "user": actor.user_id if actor.is_board else None}


def require_manage(actor: Actor, routine: Routine) -> None:
    """Writes: the company's board members (not viewers), or the agent the routine is assigned to."""
    actor.require_company(routine.company_id)
    if actor.is_agent and routine.assignee_agent_id != actor.agent_id:
        raise Forbidden("Agents can only manage routines assigned to themselves")


async def get_routine(
    session: AsyncSession, actor: Actor, routine_id: uuid.UUID, *, for_update: bool = False
) -> Routine:
    actor.require_authenticated()
    stmt = sa.select(Routine).where(Routine.id == routine_id)
    routine = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if routine is None:
        raise NotFound(NOT_FOUND)
    actor.require_company(routine.company_id)
    return routine


async def _check_refs(session: AsyncSession, company_id: uuid.UUID, values: dict[str, Any]) -> None:
    if values.get("assignee_agent_id") is not None:
        try:
            await check_agent_assignee(session, company_id, values["assignee_agent_id"])
        except NotFound:
            raise NotFound("Assignee agent not found") from None
    if values.get("project_id") is not None:
        await require_same_company(session, Project, values["project_id"], company_id, "Project")
    if values.get("goal_id") is not None:
        await require_same_company(session, Goal, values["goal_id"], company_id, "Goal")
    if values.get("parent_issue_id") is not None:
        await require_same_company(session, Issue, values["parent_issue_id"], company_id, "Parent issue")


def _given_variables(body: RoutineCreate | RoutinePatch) -> list[dict[str, Any]] | None:
    return [v.model_dump() for v in body.variables] if body.variables is not None else None


async def create_routine(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: RoutineCreate | dict[str, Any],
    now: datetime,
    *,
    origin_kind: str = "manual",
    origin_id: str | None = None,
) -> Routine:
    """Create a routine (no triggers: add those with `triggers.create_trigger`). `body` may be the
    request model or a plain dict of its camelCase fields (portability imports pass dicts).
    Stable signature: company portability calls it."""
    if isinstance(body, dict):
        body = RoutineCreate.model_validate(body)
    actor.require_company(company_id)
    await get_company(session, actor, company_id)
    if actor.is_agent and body.assigneeAgentId != actor.agent_id:
        raise Forbidden("Agents can only create routines assigned to themselves")
    values = {
        "assignee_agent_id": body.assigneeAgentId,
        "project_id": body.projectId,
        "goal_id": body.goalId,
        "parent_issue_id": body.parentIssueId,
    }
    await _check_refs(session, company_id, values)
    by = _by(actor)
    routine = Routine(
        id=uuid.uuid4(),
        company_id=company_id,
        title=body.title,
        description=body.description,
        priority=body.priority,
        # without an agent nothing can run it: it starts paused (as the original does)
        status=body.status
        if body.assigneeAgentId is not None
        else ("archived" if body.status == "archived" else "paused"),
        concurrency_policy=body.concurrencyPolicy,
        catch_up_policy=body.catchUpPolicy,
        variables=variables_.definitions(body.title, body.description, _given_variables(body)),
        origin_kind=origin_kind,
        origin_id=origin_id,
        created_by_agent_id=by["agent"],
        created_by_user_id=by["user"],
        updated_by_agent_id=by["agent"],
        updated_by_user_id=by["user"],
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(routine)
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="routine.created",
        entity_type="routine",
        entity_id=routine.id,
        details={
            "title": routine.title,
            "assigneeAgentId": str(body.assigneeAgentId) if body.assigneeAgentId else None,
        },
    )
    return routine


async def update_routine(
    session: AsyncSession, actor: Actor, routine_id: uuid.UUID, body: RoutinePatch, now: datetime
) -> Routine:
    routine = await get_routine(session, actor, routine_id, for_update=True)
    require_manage(actor, routine)
    if actor.is_agent and body.sent("assigneeAgentId") and body.assigneeAgentId != actor.agent_id:
        raise Forbidden("Agents cannot reassign routines to another agent")
    changed: dict[str, Any] = {}
    for field, attr in _FIELDS.items():
        if not body.sent(field):
            continue
        value = getattr(body, field)
        if value is None and field in ("title", "priority", "status", "concurrencyPolicy", "catchUpPolicy"):
            continue
        if getattr(routine, attr) != value:
            changed[attr] = value
    await _check_refs(session, routine.company_id, {k: v for k, v in changed.items() if k.endswith("_id")})
    for attr, value in changed.items():
        setattr(routine, attr, value)
    if routine.status == "active" and routine.assignee_agent_id is None:
        raise Unprocessable("Default agent required")
    if changed or body.sent("variables"):
        given = _given_variables(body) if body.sent("variables") else list(routine.variables or [])
        routine.variables = variables_.definitions(routine.title, routine.description, given)
    if changed or body.sent("variables"):
        by = _by(actor)
        routine.updated_by_agent_id, routine.updated_by_user_id, routine.updated_at = (
            by["agent"],
            by["user"],
            now,
        )
        await session.flush()
    from paperclip.routines.triggers import reschedule_all  # triggers import this module

    if "status" in changed:
        await reschedule_all(session, routine, now)
    await record(
        session,
        actor,
        company_id=routine.company_id,
        action="routine.updated",
        entity_type="routine",
        entity_id=routine.id,
        details={_camel(k): (str(v) if isinstance(v, uuid.UUID) else v) for k, v in changed.items()},
    )
    return routine


def _camel(attr: str) -> str:
    return next((f for f, a in _FIELDS.items() if a == attr), attr)


# ---------------------------------------------------------------- reads


async def _triggers(
    session: AsyncSession, routine_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[RoutineTrigger]]:
    out: dict[uuid.UUID, list[RoutineTrigger]] = {rid: [] for rid in routine_ids}
    if routine_ids:
        for t in await session.scalars(
            sa.select(RoutineTrigger)
            .where(RoutineTrigger.routine_id.in_(routine_ids))
            .order_by(RoutineTrigger.created_at, RoutineTrigger.id)
        ):
            out[t.routine_id].append(t)
    return out


def _open_issues_stmt(routine_ids: list[uuid.UUID]):
    issues = Issue.__table__
    return (
        sa.select(
            issues.c.origin_id,
            issues.c.id,
            issues.c.identifier,
            issues.c.title,
            issues.c.status,
            issues.c.priority,
            issues.c.updated_at,
        )
        .where(
            issues.c.origin_kind == ORIGIN_KIND,
            issues.c.origin_id.in_([str(r) for r in routine_ids]),
            issues.c.hidden_at.is_(None),
            issues.c.status.in_(sorted(ISSUE_OPEN)),
        )
        .order_by(issues.c.created_at.desc())
    )


async def _active_issues(
    session: AsyncSession, company_id: uuid.UUID, routine_ids: list[uuid.UUID]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if routine_ids:
        for row in await session.execute(
            _open_issues_stmt(routine_ids).where(Issue.__table__.c.company_id == company_id)
        ):
            out.setdefault(row.origin_id, row)
    return out


async def list_routines(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    *,
    project_id: str | None = None,
    window: Window | None = None,
) -> list[dict[str, Any]]:
    actor.require_company(company_id)
    stmt = sa.select(Routine).where(Routine.company_id == company_id).order_by(Routine.created_at, Routine.id)
    if project_id:
        project = parse_uuid(project_id)
        if project is None:
            raise Unprocessable("projectId must be a UUID", details={"field": "projectId"})
        stmt = stmt.where(Routine.project_id == project)
    routines = list(await session.scalars(window.apply(stmt) if window else stmt))
    if not routines:
        await require_company_exists(session, company_id)
        return []
    ids = [r.id for r in routines]
    triggers = await _triggers(session, ids)
    active = await _active_issues(session, company_id, ids)
    last_runs = {
        row["routine_id"]: SimpleNamespace(**row) for row in await queries.LAST_RUNS.fetch(session, ids=ids)
    }
    out = []
    for r in routines:
        wire = routine_to_wire(r)
        wire["triggers"] = [trigger_summary(t) for t in triggers[r.id]]
        wire["lastRun"] = run_to_wire(last_runs[r.id]) if r.id in last_runs else None
        wire["activeIssue"] = issue_summary(active.get(str(r.id)))
        out.append(wire)
    return out


async def routine_detail(session: AsyncSession, actor: Actor, routine_id: uuid.UUID) -> dict[str, Any]:
    routine = await get_routine(session, actor, routine_id)
    wire = routine_to_wire(routine)
    project = await session.get(Project, routine.project_id) if routine.project_id else None
    agent = await session.get(Agent, routine.assignee_agent_id) if routine.assignee_agent_id else None
    parent = await session.get(Issue, routine.parent_issue_id) if routine.parent_issue_id else None
    wire["project"] = {"id": str(project.id), "name": project.name} if project else None
    wire["assignee"] = (
        {"id": str(agent.id), "name": agent.name, "role": agent.role, "title": agent.title} if agent else None
    )
    wire["parentIssue"] = issue_summary(parent)
    wire["triggers"] = [trigger_to_wire(t) for t in (await _triggers(session, [routine.id]))[routine.id]]
    wire["recentRuns"] = await list_runs(session, actor, routine.id, limit="10", routine=routine)
    wire["activeIssue"] = issue_summary(
        (await _active_issues(session, routine.company_id, [routine.id])).get(str(routine.id))
    )
    return wire


async def list_runs(
    session: AsyncSession,
    actor: Actor,
    routine_id: uuid.UUID,
    limit: str | None = None,
    *,
    routine: Routine | None = None,
) -> list[dict[str, Any]]:
    routine = routine or await get_routine(session, actor, routine_id)
    try:
        count = 50 if limit in (None, "") else int(str(limit))
    except ValueError:
        raise Unprocessable("limit must be an integer", details={"field": "limit"}) from None
    count = max(1, min(count, MAX_RUNS))
    issues, triggers = Issue.__table__, RoutineTrigger.__table__
    rows = (
        await session.execute(
            sa.select(
                RoutineRun,
                issues.c.identifier,
                issues.c.title,
                issues.c.status.label("issue_status"),
                issues.c.priority,
                issues.c.updated_at.label("issue_updated_at"),
                triggers.c.kind,
                triggers.c.label,
            )
            .outerjoin(issues, issues.c.id == RoutineRun.linked_issue_id)
            .outerjoin(triggers, triggers.c.id == RoutineRun.trigger_id)
            .where(RoutineRun.routine_id == routine.id)
            .order_by(RoutineRun.created_at.desc(), RoutineRun.id.desc())
            .limit(count)
        )
    ).all()
    out = []
    for row in rows:
        run = row[0]
        wire = run_to_wire(run)
        wire["linkedIssue"] = (
            {
                "id": str(run.linked_issue_id),
                "identifier": row.identifier,
                "title": row.title,
                "status": row.issue_status,
                "priority": row.priority,
                "updatedAt": iso(row.issue_updated_at),
            }
            if run.linked_issue_id and row.identifier
            else None
        )
        wire["trigger"] = (
            {"id": str(run.trigger_id), "kind": row.kind, "label": row.label}
            if run.trigger_id and row.kind
            else None
        )
        out.append(wire)
    return out


# ---------------------------------------------------------------- manual and api runs


async def run_routine(
    session: AsyncSession, actor: Actor, routine_id: uuid.UUID, body: RunRequest, now: datetime
) -> Fired:
    """POST /routines/:id/run. The same idempotency key answers the same run (no second issue)."""
    routine = await get_routine(session, actor, routine_id)
    require_manage(actor, routine)
    routine = await lock_routine(session, routine.id) or routine
    if routine.status == "archived":
        raise Conflict("Routine is archived")
    trigger = None
    if body.triggerId is not None:
        trigger = await session.get(RoutineTrigger, body.triggerId)
        if trigger is None or trigger.routine_id != routine.id:
            raise Forbidden("Trigger does not belong to this routine")
        if not trigger.enabled:
            raise Conflict("Routine trigger is not active")
    supplied = body.variables
    if (
        supplied is None
        and isinstance(body.payload, dict)
        and isinstance(body.payload.get("variables"), dict)
    ):
        supplied = body.payload["variables"]
    payload = (
        body.payload
        if body.payload is not None
        else ({"variables": body.variables} if body.variables else None)
    )
    return await dispatch(
        session,
        actor,
        routine,
        source=body.source,
        now=now,
        trigger=trigger,
        payload=payload,
        supplied=supplied,
        idempotency_key=body.idempotencyKey,
        strict=True,
    )

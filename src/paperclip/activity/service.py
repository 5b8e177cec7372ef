"""The audit log: one entry per mutation, written in the same transaction as the change."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity import queries

# Re-exported: other features' statements that write their activity row themselves build on these.
from paperclip.activity.queries import ACTOR_IDS as ACTOR_IDS
from paperclip.activity.queries import ACTOR_VALUES as ACTOR_VALUES
from paperclip.activity.queries import INSERT_ACTIVITY as INSERT_ACTIVITY
from paperclip.activity.wire import ACTIVITY_ENTRY
from paperclip.auth.actor import Actor
from paperclip.db.models import ActivityLog
from paperclip.db.rawsql import READ_POOL_KEY
from paperclip.redaction import redact

ACTIVITY = ActivityLog.__table__


def actor_params(actor: Actor) -> dict[str, Any]:
    """Bind parameters naming the actor, for statements that write their activity row themselves
    (a data-modifying CTE next to the change): `:actor_type`, `:actor_id`, `:actor_agent_id`, `:actor_run_id`."""
    return {
        "actor_type": actor.activity_type,
        "actor_id": actor.activity_id,
        "actor_agent_id": actor.agent_id,
        "actor_run_id": actor.run_id,
    }


@dataclass(frozen=True)
class ActivityActor:
    """Who an activity entry names: a request's actor (`actor_activity`), or the server acting for
    someone (a run's agent recording the run's cost) without making up a request actor."""

    type: str
    id: str | None
    agent_id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None


def actor_activity(actor: Actor) -> ActivityActor:
    return ActivityActor(actor.activity_type, actor.activity_id, actor.agent_id, actor.run_id)


async def record(
    session: AsyncSession,
    actor: Actor,
    *,
    company_id: uuid.UUID,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an activity entry; details are redacted before they are stored.

    Hand-written SQL on the session's own connection (db.rawsql): no statement compile or ORM layer
    per call. clock_timestamp(), not now(): entries of one transaction keep their order."""
    await _record(
        session,
        actor.activity_type,
        actor.activity_id,
        actor.agent_id,
        actor.run_id,
        company_id=company_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details,
    )


async def record_as(
    session: AsyncSession,
    who: ActivityActor,
    *,
    company_id: uuid.UUID,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> None:
    """`record` for an entry that names `who` rather than a request's actor."""
    await _record(
        session,
        who.type,
        who.id,
        who.agent_id,
        who.run_id,
        company_id=company_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details,
    )


async def _record(
    session: AsyncSession,
    actor_type: str,
    actor_id: str | None,
    agent_id: uuid.UUID | None,
    run_id: uuid.UUID | None,
    *,
    company_id: uuid.UUID,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str,
    details: dict[str, Any] | None,
) -> None:
    stored = redact(details) if details else None
    if READ_POOL_KEY in session.info:  # a read request's session: its writes stay on the session itself
        await session.execute(
            sa.insert(ACTIVITY).values(
                company_id=company_id,
                actor_type=actor_type,
                actor_id=actor_id,
                action=action,
                entity_type=entity_type,
                entity_id=str(entity_id),
                agent_id=agent_id,
                run_id=run_id,
                details=stored,
                created_at=sa.func.clock_timestamp(),
            )
        )
        return
    await queries.RECORD.execute(
        session,
        company_id,
        actor_type,
        actor_id,
        action,
        entity_type,
        str(entity_id),
        agent_id,
        run_id,
        json.dumps(stored),
    )  # None: JSON null, as before


MAX_LIMIT = 500


async def list_activity(
    session: AsyncSession,
    company_id: uuid.UUID,
    *,
    agent_id: uuid.UUID | None = None,
    entity_type: str | None = None,
    entity_id: uuid.UUID | str | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ActivityLog]:
    """A company's activity, newest first. Callers check access; `limit` is clamped to 1..MAX_LIMIT."""
    stmt = sa.select(ActivityLog).where(ActivityLog.company_id == company_id)
    if agent_id is not None:
        stmt = stmt.where(ActivityLog.agent_id == agent_id)
    if entity_type:
        stmt = stmt.where(ActivityLog.entity_type == entity_type)
    if entity_id is not None and entity_id != "":
        stmt = stmt.where(ActivityLog.entity_id == str(entity_id))
    if action:
        stmt = stmt.where(ActivityLog.action == action)
    stmt = stmt.order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())
    return list(await session.scalars(stmt.limit(max(1, min(limit, MAX_LIMIT))).offset(max(0, offset))))


# An entry's wire object (an ActivityLog): made from the field table of wire.py, as the dashboard's SQL.
to_wire: Callable[[ActivityLog], dict[str, Any]] = ACTIVITY_ENTRY.python(attrs=True)


async def create_entry(
    session: AsyncSession,
    company_id: uuid.UUID,
    *,
    actor_type: str,
    actor_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    agent_id: uuid.UUID | None,
    details: dict[str, Any] | None,
) -> ActivityLog:
    """An entry written on behalf of someone else (POST /companies/{id}/activity, board only)."""
    row = (
        await session.execute(
            sa.insert(ActivityLog)
            .values(
                company_id=company_id,
                actor_type=actor_type,
                actor_id=actor_id,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                agent_id=agent_id,
                details=redact(details) if details else None,
                created_at=sa.func.clock_timestamp(),
            )
            .returning(ActivityLog)
        )
    ).scalar_one()
    return row

"""The audit log: one entry per mutation, written in the same transaction as the change."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.models import ActivityLog
from paperclip.redaction import redact
from paperclip.wire import iso, uid


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
    """Append an activity entry; details are redacted before they are stored."""
    await session.execute(
        sa.insert(ActivityLog).values(
            company_id=company_id,
            actor_type=actor.activity_type,
            actor_id=actor.activity_id,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            agent_id=actor.agent_id,
            run_id=actor.run_id,
            details=redact(details) if details else None,
        )
    )


def to_wire(row: ActivityLog) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "companyId": str(row.company_id),
        "actorType": row.actor_type,
        "actorId": row.actor_id,
        "action": row.action,
        "entityType": row.entity_type,
        "entityId": row.entity_id,
        "agentId": uid(row.agent_id),
        "runId": uid(row.run_id),
        "details": row.details,
        "createdAt": iso(row.created_at),
    }

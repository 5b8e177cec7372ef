"""Approvals the system raises and settles itself (a budget hard stop's `budget_override_required`):
plain service functions other features call instead of writing the approvals table. Nobody is woken
and no activity is recorded here; the calling feature records its own entry naming the approval."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Approval

KEEP: Any = ...  # `decision_note` not given: the stored note stays as it is


async def open_system_approval(
    session: AsyncSession, company_id: uuid.UUID, approval_type: str, payload: dict[str, Any], now: datetime
) -> uuid.UUID:
    """A pending approval with no requesting agent or user; returns its id."""
    approval_id = uuid.uuid4()
    await session.execute(
        sa.insert(Approval).values(
            id=approval_id,
            company_id=company_id,
            type=approval_type,
            status="pending",
            payload=payload,
            created_at=now,
            updated_at=now,
        )
    )
    return approval_id


async def decide_system_approvals(
    session: AsyncSession,
    approval_ids: Sequence[uuid.UUID],
    *,
    status: str,
    from_statuses: Collection[str],
    decided_by_user_id: str | None,
    now: datetime,
    decision_note: str | None = KEEP,
) -> None:
    """Decide (approve / reject) those of the approvals still in one of `from_statuses`; the others
    (decided meanwhile) keep their decision."""
    values: dict[str, Any] = {
        "status": status,
        "decided_by_user_id": decided_by_user_id,
        "decided_at": now,
        "updated_at": now,
    }
    if decision_note is not KEEP:
        values["decision_note"] = decision_note
    await session.execute(
        sa.update(Approval)
        .where(Approval.id.in_(approval_ids), Approval.status.in_(from_statuses))
        .values(**values)
    )

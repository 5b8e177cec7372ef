"""Work queued in a table for after the transaction that decided it (objects to delete in storage,
managed secrets to delete in AWS): rows with `next_attempt_at` and `created_at`, taken by one
replica at a time and retried later on failure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession


async def claim_due(session: AsyncSession, model: Any, now: datetime, limit: int) -> list[Any]:
    """Up to `limit` rows due at `now`, oldest first, locked for this transaction; rows another
    replica holds are skipped, not waited for."""
    stmt = (
        sa.select(model)
        .where(model.next_attempt_at <= now)
        .order_by(model.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())

"""The monthly budget policy rows behind `budgetMonthlyCents` (company and agent scopes).

`upsert_monthly_budget` is the one writer of a scope's calendar-month policy; the governance
feature (budgets, cost events) calls it too.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import BudgetPolicy

MONTHLY_WINDOW = "calendar_month_utc"
METRIC = "billed_cents"


async def upsert_monthly_budget(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    amount: int,
    user_id: str | None,
    now: datetime,
) -> None:
    """Create or update the (company, scope, billed_cents, calendar_month_utc) policy; 0 = unlimited."""
    stmt = insert(BudgetPolicy).values(
        company_id=company_id, scope_type=scope_type, scope_id=scope_id, metric=METRIC, window_kind=MONTHLY_WINDOW,
        amount=amount, is_active=True, created_by_user_id=user_id, updated_by_user_id=user_id, updated_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["company_id", "scope_type", "scope_id", "metric", "window_kind"],
        set_={"amount": stmt.excluded.amount, "is_active": True, "updated_by_user_id": user_id, "updated_at": now},
    )
    await session.execute(stmt)

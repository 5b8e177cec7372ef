"""References between company-owned rows: they must exist (404) and be in the same company (422)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.errors import NotFound, Unprocessable


async def require_same_company(
    session: AsyncSession, model, ref_id: uuid.UUID, company_id: uuid.UUID, label: str
) -> None:
    """`label` names the reference in messages, e.g. "Parent goal" → "Parent goal not found"."""
    owner = await session.scalar(sa.select(model.company_id).where(model.id == ref_id))
    if owner is None:
        raise NotFound(f"{label} not found")
    if owner != company_id:
        raise Unprocessable(f"{label} must belong to same company")

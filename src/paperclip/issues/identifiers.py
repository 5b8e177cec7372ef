"""Issue references (UUID or `ACM-12`) and the per-company counter that numbers new issues."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Company, Goal, Issue
from paperclip.errors import NotFound

ISSUES = Issue.__table__
IDENTIFIER_RE = re.compile(r"^[A-Za-z]{1,16}-\d{1,9}$")


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None


def require_uuid(value: str, message: str) -> uuid.UUID:
    """A path id that is not a UUID names nothing: 404, never a 500."""
    parsed = parse_uuid(value)
    if parsed is None:
        raise NotFound(message)
    return parsed


def issue_ref_clause(ref: str) -> Any:
    parsed = parse_uuid(ref)
    if parsed is not None:
        return ISSUES.c.id == parsed
    if IDENTIFIER_RE.match(ref):
        return ISSUES.c.identifier == ref.upper()
    raise NotFound("Issue not found")


async def find_issue(session: AsyncSession, ref: str, *, for_update: bool = False) -> RowMapping:
    query = sa.select(ISSUES).where(issue_ref_clause(ref))
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).mappings().first()
    if row is None:
        raise NotFound("Issue not found")
    return row


async def require_company_exists(session: AsyncSession, company_id: uuid.UUID) -> None:
    if not await session.scalar(sa.select(sa.exists().where(Company.id == company_id))):
        raise NotFound("Company not found")


async def allocate_number(session: AsyncSession, company_id: uuid.UUID) -> tuple[int, str, uuid.UUID | None]:
    """One atomic UPDATE ... RETURNING: the number is unique under any concurrency (the row lock
    serialises concurrent creators until their transactions end). Also returns the company's default
    goal (its first top-level company goal), used when a new issue names no goal or project."""
    default_goal = (
        sa.select(Goal.id)
        .where(Goal.company_id == company_id, Goal.level == "company", Goal.parent_id.is_(None))
        .order_by(Goal.created_at, Goal.id)
        .limit(1)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            sa.update(Company)
            .where(Company.id == company_id)
            .values(issue_counter=Company.issue_counter + 1, updated_at=Company.updated_at)
            .returning(Company.issue_counter, Company.issue_prefix, default_goal)
        )
    ).first()
    if row is None:
        raise NotFound("Company not found")
    number, prefix, goal_id = row
    return number, f"{prefix}-{number}", goal_id

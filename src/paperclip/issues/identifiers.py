"""Issue references: a UUID or an identifier such as `ACM-12` (case-insensitive)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.models import Company, Issue
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
        query = query.with_for_update(key_share=True)
    row = (await session.execute(query)).mappings().first()
    if row is None:
        raise NotFound("Issue not found")
    return row


async def require_company_exists(session: AsyncSession, company_id: uuid.UUID) -> None:
    if not await session.scalar(sa.select(sa.exists().where(Company.id == company_id))):
        raise NotFound("Company not found")


def accessible_companies(actor: Actor) -> list[uuid.UUID] | None:
    """The companies the actor may access, as a SQL parameter (None: all of them), for statements that
    change a row only when `actor.require_company` would pass."""
    if actor.is_agent:
        return [actor.company_id] if actor.company_id is not None else []
    if actor.is_board:
        return None if (actor.is_instance_admin or actor.source == "local_implicit") else list(actor.company_ids)
    return []

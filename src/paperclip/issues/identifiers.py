"""Issue references: a UUID or an identifier such as `ACM-12` (case-insensitive). Resolving one to its
row lives in paperclip/db/issue_refs.py (storage resolves them too); re-exported here."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.issue_refs import IDENTIFIER_RE, ISSUES, find_issue, issue_ref_clause
from paperclip.db.models import Company, Issue
from paperclip.errors import NotFound
from paperclip.ids import parse_uuid, path_uuid

__all__ = [
    "IDENTIFIER_RE",
    "ISSUES",
    "accessible_companies",
    "find_issue",
    "find_visible_issue",
    "issue_ref_clause",
    "parse_uuid",
    "require_company_exists",
    "require_uuid",
]

require_uuid = path_uuid  # a path id that is not a UUID names nothing: 404, never a 500


async def require_company_exists(session: AsyncSession, company_id: uuid.UUID) -> None:
    if not await session.scalar(sa.select(sa.exists().where(Company.id == company_id))):
        raise NotFound("Company not found")


def accessible_companies(actor: Actor) -> list[uuid.UUID] | None:
    """The companies the actor may access, as a SQL parameter (None: all of them), for statements that
    change a row only when `actor.require_company` would pass."""
    return actor.visible_company_ids()


async def find_visible_issue(session: AsyncSession, actor: Actor, ref: str) -> Issue:
    """An issue (ORM row) by UUID or by identifier (`PAP-12`), if the actor may see its company."""
    actor.require_authenticated()
    if len(ref) > 64 or "\x00" in ref:
        raise NotFound("Issue not found")
    parsed = parse_uuid(ref)
    condition = Issue.id == parsed if parsed is not None else Issue.identifier == ref.upper()
    issue = await session.scalar(sa.select(Issue).where(condition))
    if issue is None:
        raise NotFound("Issue not found")
    actor.require_company(issue.company_id)
    return issue

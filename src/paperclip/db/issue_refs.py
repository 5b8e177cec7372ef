"""Issue references: a UUID or an identifier such as `ACM-12` (case-insensitive), resolved to the row.

Here, below the features, because issues and the features that hang things on issues (storage's
attachments) both resolve them; issues/identifiers.py re-exports them for the issue modules."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Issue
from paperclip.errors import NotFound
from paperclip.ids import parse_uuid

ISSUES = Issue.__table__
IDENTIFIER_RE = re.compile(r"^[A-Za-z]{1,16}-\d{1,9}$")


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

"""Issue lists rendered by PostgreSQL: one statement returns the page as a JSON text (issue fields in
the wire's names and order, labels included), which the route sends as is — no per-row Python. The
statement per filter shape is `queries.issue_page`; the fields are wire.py's ISSUE."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.issues import queries


async def page_as_json(
    session: AsyncSession,
    where: tuple[str, ...],
    order: str,
    params: dict[str, Any],
    extras: tuple[str, ...] = (),
    compact: bool = False,
) -> str:
    """The page as JSON text. `where`: SQL conditions on the issue alias `x` (the first two pin the
    company, `:company_id`); `order`: its ORDER BY list; `params`: every named parameter, with
    `limit` and `offset`; `extras`: names in EXTRAS to add per row; `compact`: the compact row."""
    return await queries.issue_page(" AND ".join(where), order, extras, compact).fetchval(session, **params)

"""Hot-path statements written with named parameters (`:name`, like sa.text) and run through
`paperclip.db.rawsql.Sql`: on the asyncpg read pool in read requests, on the session's own psycopg
connection (inside its transaction) in mutations — either way without SQLAlchemy's per-statement
compile, result and ORM layers."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.rawsql import Sql

# `:name` in lower snake case; not `::type` casts, not the upper-case fields of to_char formats.
_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class NamedSql:
    __slots__ = ("names", "sql")

    def __init__(self, text: str):
        names: list[str] = []

        def number(match: re.Match) -> str:
            name = match.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        self.sql = Sql(_NAMED.sub(number, text))
        self.names = tuple(names)

    def _args(self, params: dict[str, Any]) -> list[Any]:
        return [params[name] for name in self.names]

    async def fetchrow(self, session: AsyncSession, params: dict[str, Any]) -> dict[str, Any] | None:
        return await self.sql.fetchrow(session, *self._args(params))

    async def fetch(self, session: AsyncSession, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.sql.fetch(session, *self._args(params))

    async def fetchval(self, session: AsyncSession, params: dict[str, Any]) -> Any:
        return await self.sql.fetchval(session, *self._args(params))

"""A window over a list query: how many rows to fetch and from where. List services take one
(`window: Window | None`, None = every row) so a route can page them; `paperclip.api.paging` makes
it from the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.sql import Select

S = TypeVar("S", bound=Select)


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    offset: int = 0

    def apply(self, statement: S) -> S:
        return statement.limit(self.limit).offset(self.offset)

    def sql(self) -> str:
        """The clause for hand-written SQL (both are ints, validated by the route)."""
        return f" LIMIT {int(self.limit)} OFFSET {int(self.offset)}"

    def slice(self, rows: list) -> list:
        """For lists that are not built by one query (a few, merged from several sources)."""
        return rows[self.offset : self.offset + self.limit]

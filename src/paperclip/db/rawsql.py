"""Hand-written SQL for the hottest paths, without the ORM's per-statement overhead.

A `Sql` is written once, with asyncpg's `$1, $2` placeholders. In a read request (its session is
marked with the read pool: autocommit, no transaction to share) it runs on the asyncpg read pool;
anywhere else it runs on the psycopg connection under the session, inside its transaction. Either
way rows come back as dicts with the same Python types (UUID, datetime, int, str; json/jsonb
decoded), so a service does not care which path it took.

Measured on the 2-vCPU machine: a one-row SELECT through an ORM session costs ~650 µs of CPU, the
same through the asyncpg pool ~220 µs; on the psycopg connection under a session, ~230 µs less
than `session.execute`.

This is the one way to write SQL by hand in this code base. Each feature keeps its statements in a
`queries.py` beside its service. Placeholders are either asyncpg's `$1, $2` (arguments by position) or
`:name` (arguments by keyword, as `sa.text` had them; `::type` casts are not names), never both in one
statement. Pass JSON as a dict (jsonb parameters) or as text with `CAST(:x AS jsonb)`; lists are
arrays (`= ANY(:ids)`). Placeholders inside string literals are not supported (write such values as
parameters). Command-line tools without an event loop use the `*_sync` methods on a synchronous
SQLAlchemy Connection (psycopg; inside its transaction) or on a plain psycopg connection.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

if TYPE_CHECKING:
    import psycopg
from sqlalchemy.ext.asyncio import AsyncSession

READ_POOL_KEY = "paperclip.read_pool"
_PLACEHOLDER = re.compile(r"\$(\d+)")
# `:name` in lower snake case; not `::type` casts, not the upper-case fields of to_char formats.
_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class Sql:
    """One statement. `fetch`/`fetchrow`/`fetchval`/`execute` take the session, then the arguments:
    by position for `$n` statements, by keyword for `:name` statements."""

    __slots__ = ("text", "names", "_psycopg_text")

    def __init__(self, text: str):
        names: list[str] = []
        if not _PLACEHOLDER.search(text):

            def number(match: re.Match) -> str:
                name = match.group(1)
                if name not in names:
                    names.append(name)
                return f"${names.index(name) + 1}"

            text = _NAMED.sub(number, text)
        self.text = text
        self.names = tuple(names)
        self._psycopg_text = _PLACEHOLDER.sub(lambda m: f"%(p{m.group(1)})s", text.replace("%", "%%"))

    def _args(self, args: tuple, params: dict[str, Any]) -> tuple:
        if not params:
            if self.names and not args:
                raise TypeError(f"statement needs {', '.join(self.names)}")
            return args
        if args:
            raise TypeError("pass arguments by position or by name, not both")
        try:
            return tuple(params[name] for name in self.names)
        except KeyError as missing:
            raise TypeError(f"statement needs :{missing.args[0]}") from None

    async def fetch(self, session: AsyncSession, *args: Any, **params: Any) -> list[dict[str, Any]]:
        args = self._args(args, params)
        pool = session.info.get(READ_POOL_KEY)
        if pool is not None:
            return [dict(row) for row in await pool.fetch(self.text, *args)]
        return await self._in_session(session, args, all_rows=True)

    async def fetchrow(self, session: AsyncSession, *args: Any, **params: Any) -> dict[str, Any] | None:
        args = self._args(args, params)
        pool = session.info.get(READ_POOL_KEY)
        if pool is not None:
            row = await pool.fetchrow(self.text, *args)
            return dict(row) if row is not None else None
        return await self._in_session(session, args, all_rows=False)

    async def fetchval(self, session: AsyncSession, *args: Any, **params: Any) -> Any:
        args = self._args(args, params)
        pool = session.info.get(READ_POOL_KEY)
        if pool is not None:
            return await pool.fetchval(self.text, *args)
        row = await self._in_session(session, args, all_rows=False)
        return None if row is None else next(iter(row.values()))

    async def execute(self, session: AsyncSession, *args: Any, **params: Any) -> int:
        """Run a statement for its effect; the number of rows it touched."""
        args = self._args(args, params)
        pool = session.info.get(READ_POOL_KEY)
        if pool is not None:
            status = await pool.execute(self.text, *args)
            count = status.rsplit(" ", 1)[-1]
            return int(count) if count.isdigit() else 0
        return await self._in_session(session, args, all_rows=None)

    async def fetchrow_autocommit(self, pool: Any, *args: Any) -> dict[str, Any] | None:
        """Run on `pool` (asyncpg, autocommit) as a transaction of its own: for a request whose one
        and only write is this statement (one round trip instead of BEGIN, statement, COMMIT)."""
        row = await pool.fetchrow(self.text, *args)
        return dict(row) if row is not None else None

    # A command-line tool without an event loop (rotating the master key, `doctor`) runs the same
    # statements on a synchronous SQLAlchemy Connection, inside its transaction, or on a plain
    # psycopg connection (a probe of a server before anything else of ours runs on it).
    def fetch_sync(
        self, connection: Connection | psycopg.Connection, *args: Any, **params: Any
    ) -> list[dict[str, Any]]:
        return self._in_sync(connection, self._args(args, params), all_rows=True)

    def fetchrow_sync(
        self, connection: Connection | psycopg.Connection, *args: Any, **params: Any
    ) -> dict[str, Any] | None:
        return self._in_sync(connection, self._args(args, params), all_rows=False)

    def fetchval_sync(self, connection: Connection | psycopg.Connection, *args: Any, **params: Any) -> Any:
        row = self._in_sync(connection, self._args(args, params), all_rows=False)
        return None if row is None else next(iter(row.values()))

    def execute_sync(self, connection: Connection | psycopg.Connection, *args: Any, **params: Any) -> int:
        return self._in_sync(connection, self._args(args, params), all_rows=None)

    def _values(self, args: tuple) -> dict[str, Any]:
        from psycopg.types.json import Jsonb

        return {
            f"p{i}": Jsonb(value) if isinstance(value, dict) else value for i, value in enumerate(args, 1)
        }

    async def _in_session(self, session: AsyncSession, args: tuple, *, all_rows: bool | None):
        from psycopg.rows import dict_row

        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        async with driver.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(self._psycopg_text, self._values(args))
            if all_rows is None:
                return cursor.rowcount
            if cursor.description is None:
                return [] if all_rows else None
            return await cursor.fetchall() if all_rows else await cursor.fetchone()

    def _in_sync(self, connection: Connection | psycopg.Connection, args: tuple, *, all_rows: bool | None):
        from psycopg.rows import dict_row

        driver: Any = (
            connection.connection.driver_connection if isinstance(connection, Connection) else connection
        )
        with driver.cursor(row_factory=dict_row) as cursor:
            cursor.execute(self._psycopg_text, self._values(args))
            if all_rows is None:
                return cursor.rowcount
            if cursor.description is None:
                return [] if all_rows else None
            return cursor.fetchall() if all_rows else cursor.fetchone()


async def create_read_pool(url: str, *, prepared_statements: bool, max_size: int, connect_timeout: float):
    """The asyncpg pool for read requests; no connection is opened until the first read.

    Behind a transaction-mode pooler (`prepared_statements` False) asyncpg keeps no statement cache,
    so each statement is prepared unnamed within its own round trip, which such poolers allow.
    """
    import asyncpg

    async def init(connection) -> None:
        for kind in ("json", "jsonb"):
            await connection.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")

    return await asyncpg.create_pool(
        url,
        min_size=0,
        max_size=max_size,
        timeout=connect_timeout,
        init=init,
        statement_cache_size=100 if prepared_statements else 0,
        max_inactive_connection_lifetime=300,
    )

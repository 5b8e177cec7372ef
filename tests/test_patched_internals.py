"""Private internals of our dependencies that the hot paths reach into or build on.

Each test names the file that relies on the internal; when a dependency upgrade changes one, this
fails with that name instead of the hot path silently falling back (slower) or breaking at runtime.
Fix the named file for the new version (or pin the dependency) before raising the version range.
"""

from __future__ import annotations

import inspect

import pytest


def _require(condition: bool, relied_on_by: str, what: str) -> None:
    if not condition:
        pytest.fail(
            f"{relied_on_by} relies on {what}, which this version no longer provides: "
            f"update {relied_on_by} (or pin the dependency in pyproject.toml)",
            pytrace=False,
        )


def test_psycopg_internals_used_by_the_prepared_statement_keeping_rollback():
    """db/rollback.py sends ROLLBACK on the raw connection so psycopg keeps its prepared statements."""
    import psycopg
    from psycopg import generators, pq

    where = "src/paperclip/db/rollback.py"
    conn = psycopg.AsyncConnection
    _require(callable(getattr(generators, "execute", None)), where, "psycopg.generators.execute(pgconn)")
    _require(hasattr(pq.TransactionStatus, "IDLE"), where, "psycopg.pq.TransactionStatus.IDLE")
    _require(callable(getattr(conn, "wait", None)), where, "AsyncConnection.wait(generator)")
    for attribute in ("_pipeline", "lock", "pgconn"):  # set in __init__: look in its source
        _require(
            f"self.{attribute}" in inspect.getsource(psycopg.connection_async.AsyncConnection.__init__)
            or f"self.{attribute}" in inspect.getsource(psycopg._connection_base.BaseConnection.__init__),
            where,
            f"the connection attribute `{attribute}`",
        )
    # the behaviour worked around: psycopg's rollback forgets every prepared statement
    _require(
        "_prepared" in inspect.getsource(psycopg._connection_base.BaseConnection._rollback_gen),
        where,
        "psycopg's rollback clearing its prepared statements (BaseConnection._rollback_gen)",
    )
    _require(
        hasattr(psycopg._connection_base.BaseConnection, "_prepared")
        or "self._prepared" in inspect.getsource(psycopg._connection_base.BaseConnection.__init__),
        where,
        "BaseConnection._prepared (the PrepareManager)",
    )


def test_fastapi_and_starlette_internals_used_by_the_flat_router():
    """api/router.py copies routes flat with their add_api_route options and a prechecked APIRoute."""
    from fastapi import APIRouter
    from fastapi.datastructures import DefaultPlaceholder
    from fastapi.responses import JSONResponse
    from fastapi.routing import APIRoute
    from starlette.routing import Match

    where = "src/paperclip/api/router.py"
    parameters = inspect.signature(APIRouter.add_api_route).parameters
    for name in (
        "route_class_override",
        "endpoint",
        "response_model",
        "status_code",
        "response_class",
        "dependencies",
        "tags",
        "methods",
    ):
        _require(name in parameters, where, f"APIRouter.add_api_route(..., {name}=...)")
    _require(
        hasattr(DefaultPlaceholder("x"), "value"), where, "fastapi.datastructures.DefaultPlaceholder.value"
    )
    _require(hasattr(Match, "NONE") and hasattr(Match, "FULL"), where, "starlette.routing.Match.NONE/FULL")
    _require("matches" in APIRoute.__dict__ or hasattr(APIRoute, "matches"), where, "APIRoute.matches(scope)")

    async def endpoint() -> dict:
        return {}

    route = APIRoute("/a/{b}", endpoint)
    for name in ("response_model", "response_class", "status_code", "endpoint", "tags", "dependencies"):
        _require(hasattr(route, name), where, f"APIRoute.{name}")
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        response_class = response_class.value
    _require(response_class is JSONResponse, where, "JSONResponse as an APIRoute's default response class")
    match, _ = route.matches({"type": "http", "path": "/a/1", "method": "GET", "root_path": ""})
    _require(match == Match.FULL, where, "APIRoute.matches on a plain scope")


def test_fastapi_encoder_is_the_fallback_of_orjson_responses():
    """api/router.py hands values orjson cannot write to fastapi.encoders.jsonable_encoder."""
    import uuid
    from datetime import UTC, datetime

    import orjson
    from fastapi.encoders import jsonable_encoder

    where = "src/paperclip/api/router.py"
    value = {"id": uuid.UUID(int=1), "at": datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)}
    _require(
        orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS) == orjson.dumps(jsonable_encoder(value)),
        where,
        "orjson and jsonable_encoder writing UUIDs and datetimes the same way",
    )


def test_sqlalchemy_raw_driver_connection_used_by_hand_written_sql():
    """db/rawsql.py and db/rollback.py run on the psycopg connection under an AsyncSession."""
    from sqlalchemy.ext.asyncio import AsyncConnection

    where = "src/paperclip/db/rawsql.py, src/paperclip/db/rollback.py"
    _require(
        callable(getattr(AsyncConnection, "get_raw_connection", None)),
        where,
        "sqlalchemy AsyncConnection.get_raw_connection()",
    )
    from sqlalchemy.engine.interfaces import AdaptedConnection
    from sqlalchemy.pool.base import _ConnectionFairy

    _require(
        hasattr(_ConnectionFairy, "driver_connection"), where, "the pooled connection's driver_connection"
    )
    _require(hasattr(AdaptedConnection, "driver_connection"), where, "AdaptedConnection.driver_connection")


def test_asyncpg_pool_api_used_by_the_read_pool_and_the_one_statement_wakeup():
    """db/rawsql.py (read pool, fetchrow_autocommit) and the heartbeat listener use asyncpg's pool."""
    import asyncpg
    from asyncpg.pool import Pool

    where = "src/paperclip/db/rawsql.py, src/paperclip/heartbeat/wakeups.py"
    parameters = inspect.signature(asyncpg.create_pool).parameters
    for name in ("min_size", "max_size", "init", "statement_cache_size", "max_inactive_connection_lifetime"):
        _require(
            name in parameters or "connect_kwargs" in parameters, where, f"asyncpg.create_pool({name}=...)"
        )
    for method in ("fetch", "fetchrow", "fetchval", "close", "acquire"):
        _require(callable(getattr(Pool, method, None)), where, f"asyncpg Pool.{method}")
    _require(
        callable(getattr(asyncpg.Connection, "set_type_codec", None)),
        where,
        "asyncpg Connection.set_type_codec",
    )

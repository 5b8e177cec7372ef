"""`Sql` runs on the asyncpg read pool in read requests and on the session's psycopg connection
elsewhere; both give the same rows with the same Python types."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from paperclip.db.rawsql import READ_POOL_KEY, Sql

ROW = Sql("""SELECT $1::uuid AS id, $2::timestamptz AS at, $3::int AS n, $4::text AS name,
                    '{"a": [1, 2]}'::jsonb AS doc, NULL::text AS nothing, 'x%' LIKE $5 AS liked,
                    ARRAY[1, 2] AS items""")
ID = uuid.uuid4()
AT = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


@pytest.fixture
async def sessions(app):
    async with app.state.read_sessions() as read, app.state.sessions() as write:
        read.info[READ_POOL_KEY] = app.state.read_pool
        yield read, write


async def test_both_paths_give_the_same_row(app, sessions):
    assert app.state.read_pool is not None
    read, write = sessions
    rows = [await ROW.fetchrow(s, ID, AT, 7, "név", "x%") for s in (read, write)]
    assert rows[0] == rows[1]
    row = rows[0]
    assert row["id"] == ID and isinstance(row["id"], uuid.UUID)
    assert row["at"] == AT and row["n"] == 7 and row["name"] == "név"
    assert (
        row["doc"] == {"a": [1, 2]}
        and row["nothing"] is None
        and row["liked"] is True
        and row["items"] == [1, 2]
    )


async def test_fetch_and_fetchval_on_both_paths(sessions):
    many = Sql("SELECT g AS n FROM generate_series(1, $1) AS g ORDER BY g")
    for session in sessions:
        assert await many.fetch(session, 3) == [{"n": 1}, {"n": 2}, {"n": 3}]
        assert await many.fetch(session, 0) == []
        assert await Sql("SELECT $1::int + 1").fetchval(session, 41) == 42
        assert await Sql("SELECT 1 WHERE false").fetchval(session) is None
        assert await Sql("SELECT 1 WHERE false").fetchrow(session) is None


async def test_outside_a_read_request_it_shares_the_session_transaction(app, sessions):
    _, write = sessions
    await write.execute(sa.text("CREATE TEMP TABLE rawsql_probe (v int)"))
    await write.execute(sa.text("INSERT INTO rawsql_probe VALUES (5)"))
    # uncommitted, yet visible: the same connection and transaction
    assert await Sql("SELECT v FROM rawsql_probe").fetchval(write) == 5
    await write.rollback()


async def test_named_placeholders_on_both_paths(sessions):
    named = Sql("SELECT :n::int + :m AS total, :n::int AS n, '{\"k\": 1}'::jsonb ->> 'k' AS k")
    assert named.names == ("n", "m")
    for session in sessions:
        assert await named.fetchrow(session, n=2, m=3) == {"total": 5, "n": 2, "k": "1"}
        with pytest.raises(TypeError, match=":m"):
            await named.fetchrow(session, n=2)
        with pytest.raises(TypeError, match="not both"):
            await named.fetchrow(session, 2, m=3)


async def test_execute_counts_rows_and_takes_json_and_arrays(app, sessions):
    _, write = sessions
    await Sql("CREATE TEMP TABLE rawsql_exec (v int, doc jsonb)").execute(write)
    insert = Sql("INSERT INTO rawsql_exec SELECT g, :doc FROM unnest(CAST(:values AS int[])) AS g")
    assert await insert.execute(write, doc={"a": [1, "x"]}, values=[1, 2, 3]) == 3
    assert await Sql("UPDATE rawsql_exec SET v = v + 10 WHERE v = ANY(:vs)").execute(write, vs=[1, 2]) == 2
    rows = await Sql("SELECT v, doc FROM rawsql_exec ORDER BY v").fetch(write)
    assert rows == [
        {"v": 3, "doc": {"a": [1, "x"]}},
        {"v": 11, "doc": {"a": [1, "x"]}},
        {"v": 12, "doc": {"a": [1, "x"]}},
    ]
    await write.rollback()


def test_sync_methods_run_inside_the_connections_transaction(database_url):
    from paperclip.db.engine import make_sync_engine

    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(sa.text("CREATE TEMP TABLE rawsql_sync (v int, doc jsonb)"))
            insert = Sql("INSERT INTO rawsql_sync SELECT g, :doc FROM unnest(CAST(:values AS int[])) AS g")
            assert insert.execute_sync(conn, doc={"a": 1}, values=[1, 2]) == 2
            assert Sql("SELECT v, doc FROM rawsql_sync ORDER BY v").fetch_sync(conn) == [
                {"v": 1, "doc": {"a": 1}},
                {"v": 2, "doc": {"a": 1}},
            ]
            assert Sql("SELECT v FROM rawsql_sync WHERE v = $1").fetchrow_sync(conn, 2) == {"v": 2}
            assert Sql("SELECT count(*) FROM rawsql_sync").fetchval_sync(conn) == 2
            assert Sql("SELECT 1 WHERE false").fetchval_sync(conn) is None
            # the same transaction as SQLAlchemy's own statements
            assert conn.execute(sa.text("SELECT count(*) FROM rawsql_sync")).scalar() == 2
    finally:
        engine.dispose()


def test_sync_methods_take_a_plain_psycopg_connection(database_url):
    import psycopg

    from paperclip.db.engine import libpq_url

    with psycopg.connect(libpq_url(database_url)) as conn:
        assert Sql("SELECT :n::int + 1 AS m").fetchrow_sync(conn, n=1) == {"m": 2}
        assert Sql("SHOW server_encoding").fetchval_sync(conn) == "UTF8"

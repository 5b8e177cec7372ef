"""The request's transaction: committed before the response starts, rolled back on any error."""

from __future__ import annotations

import sqlalchemy as sa

from paperclip.api.deps import DB
from paperclip.errors import Conflict


async def _table(app) -> None:
    async with app.state.sessions() as s, s.begin():
        # A deferred foreign key is checked at COMMIT: the only way a handler's work can be fine
        # until the very end and still fail.
        await s.execute(
            sa.text(
                "CREATE TABLE uow_probe (id int PRIMARY KEY, ref int REFERENCES uow_probe(id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )


async def _rows(app) -> list[int]:
    async with app.state.sessions() as s:
        return list(await s.scalars(sa.text("SELECT id FROM uow_probe ORDER BY id")))


def _routes(app) -> None:
    async def insert(row: int, session: DB, ref: int | None = None):
        await session.execute(
            sa.text("INSERT INTO uow_probe (id, ref) VALUES (:id, :ref)"), {"id": row, "ref": ref}
        )
        return {"inserted": row}

    async def insert_then_refuse(row: int, session: DB):
        await session.execute(sa.text("INSERT INTO uow_probe (id) VALUES (:id)"), {"id": row})
        raise Conflict("refused after writing")

    async def read(session: DB):
        return {"rows": list(await session.scalars(sa.text("SELECT id FROM uow_probe ORDER BY id")))}

    app.router.add_api_route("/test/uow/{row}", insert, methods=["POST"], status_code=201)
    app.router.add_api_route("/test/uow/{row}/refuse", insert_then_refuse, methods=["POST"])
    app.router.add_api_route("/test/uow", read, methods=["GET"])


async def test_success_is_committed_before_the_response(app, client):
    await _table(app)
    _routes(app)
    response = await client.post("/test/uow/1")
    assert response.status_code == 201 and response.json() == {"inserted": 1}
    assert await _rows(app) == [1]
    assert (await client.get("/test/uow")).json() == {"rows": [1]}


async def test_an_error_response_rolls_the_work_back(app, client):
    await _table(app)
    _routes(app)
    response = await client.post("/test/uow/2/refuse")
    assert response.status_code == 409 and response.json() == {"error": "refused after writing"}
    assert await _rows(app) == []


async def test_a_failed_commit_is_a_500_not_a_success(app, client):
    await _table(app)
    _routes(app)
    response = await client.post("/test/uow/3", params={"ref": 999})  # dangling deferred reference
    assert response.status_code == 500 and response.json() == {"error": "Internal server error"}
    assert await _rows(app) == []
    # The pool is healthy afterwards: the next request commits normally.
    assert (await client.post("/test/uow/4")).status_code == 201
    assert await _rows(app) == [4]


async def test_a_refused_write_keeps_the_connections_prepared_statements(make_settings, database_url):
    """psycopg's own rollback deallocates everything prepared on the connection; the request's does not."""
    import httpx

    from paperclip.server.runtime import build_app

    app = build_app(
        make_settings({"PAPERCLIP_DB_POOL_MAX": "1"}), database_url, 3100, role="api"
    )  # one write connection

    async def prepared_count(session: DB):
        # what this connection had prepared when the request started; then prepare one more
        found = await session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        for _ in range(6):  # past psycopg's prepare threshold (5)
            await session.execute(sa.text("SELECT count(*) FROM companies WHERE name <> :n"), {"n": "x"})
        return {"prepared": found}

    async def refuse(session: DB):
        await session.execute(sa.text("SELECT 1"))
        raise Conflict("refused")

    app.router.add_api_route("/test/prepared", prepared_count, methods=["POST"])
    app.router.add_api_route("/test/refuse", refuse, methods=["POST"])
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost:3100"
        ) as client:
            await client.post("/test/prepared")
            assert (await client.post("/test/prepared")).json()["prepared"] >= 1
            assert (await client.post("/test/refuse")).status_code == 409
            after = await client.post("/test/prepared")
            assert after.status_code == 200 and after.json()["prepared"] >= 1

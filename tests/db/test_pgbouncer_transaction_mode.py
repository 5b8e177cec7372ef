"""A real PgBouncer in transaction mode in front of the test PostgreSQL: server-side prepared
statements break there, and the app with the pooler setting (or its auto-detection) does not."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import psycopg
import pytest
import sqlalchemy as sa

from paperclip.db.embedded import resolve_run_as
from paperclip.db.migrate import run_migrations

from .conftest import free_port, query

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
pytestmark = [
    pytest.mark.skipif(
        not os.access(PGBOUNCER, os.X_OK),
        reason="pgbouncer is not installed (apt-get install pgbouncer; .ci/run installs it)",
    ),
    pytest.mark.timeout(120),
]


class Bouncer:
    def __init__(self, target_url: str, workdir: Path):
        target = urlsplit(target_url)
        self.user, self.password = unquote(target.username or ""), unquote(target.password or "")
        self.port = free_port()
        run_as = resolve_run_as("paperclip")  # pgbouncer refuses to run as root, like PostgreSQL
        workdir.mkdir(mode=0o700)
        ini, users = workdir / "pgbouncer.ini", workdir / "userlist.txt"
        users.write_text(f'"{self.user}" "{self.password}"\n')
        # server_round_robin: hand out server connections in turn, so that two transactions of one
        # client land on different server connections, as they do on a busy production pooler.
        ini.write_text(
            "[databases]\n"
            f"appdb = host={target.hostname} port={target.port} dbname={target.path.lstrip('/')}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = scram-sha-256\nauth_file = {users}\n"
            "pool_mode = transaction\ndefault_pool_size = 4\nserver_round_robin = 1\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"pidfile =\nlogfile = {workdir / 'pgbouncer.log'}\n"
        )
        for path in (workdir, ini, users):
            run_as.own(path)
        args = [PGBOUNCER, *(["-u", run_as.user] if run_as.user else []), str(ini)]
        self.log = workdir / "pgbouncer.log"
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {self.proc.stderr.read().decode()} {self._log_tail()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"pgbouncer did not listen on {self.port}: {self._log_tail()}")
            time.sleep(0.05)

    def _log_tail(self) -> str:
        try:
            return self.log.read_text()[-2000:]
        except OSError:
            return ""

    def url(self, query_string: str = "") -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/appdb" + (
            f"?{query_string}" if query_string else ""
        )

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def start_bouncer(reachable_dir: Path):
    started: list[Bouncer] = []

    def start(target_url: str) -> Bouncer:
        bouncer = Bouncer(target_url, reachable_dir / f"pgbouncer{len(started)}")
        started.append(bouncer)
        return bouncer

    yield start
    for bouncer in started:
        bouncer.stop()


def _two_server_connections(url: str) -> None:
    """Make the pool hold two server connections (two transactions open at once)."""
    with psycopg.connect(url) as first, psycopg.connect(url) as second:
        first.execute("SELECT 1")
        second.execute("SELECT 1")


def test_server_side_prepared_statements_fail_in_transaction_mode(start_bouncer, database_url):
    """The failure the setting exists for: a statement prepared in one transaction is gone in the next."""
    bouncer = start_bouncer(database_url)
    _two_server_connections(bouncer.url())
    failures = []
    with psycopg.connect(bouncer.url(), autocommit=True, prepare_threshold=0) as conn:
        for _ in range(20):
            try:
                conn.execute("SELECT %s::int", (1,)).fetchone()
            except psycopg.Error as exc:
                failures.append(str(exc))
    assert failures, "expected prepared statements to fail behind a transaction-mode pooler"
    assert all("prepared statement" in message for message in failures)


async def _same_query_in_own_transaction(app) -> int:
    async with app.state.sessions() as session, session.begin():
        return await session.scalar(sa.text("SELECT count(*) FROM companies WHERE name <> :n"), {"n": "x"})


async def test_app_with_prepared_statements_forced_on_breaks_behind_the_pooler(
    start_bouncer, database_url, make_settings
):
    """The same app and queries as below, with PAPERCLIP_DB_PREPARED_STATEMENTS=true: psycopg
    prepares after 5 identical queries, and the next transaction lands where that statement is unknown."""
    from paperclip.server.runtime import build_app

    bouncer = start_bouncer(database_url)
    _two_server_connections(bouncer.url())
    settings = make_settings({"DATABASE_URL": bouncer.url(), "PAPERCLIP_DB_PREPARED_STATEMENTS": "true"})
    app = build_app(settings, bouncer.url(), 3100, role="api")
    failures = []
    async with app.router.lifespan_context(app):
        for _ in range(30):
            try:
                await _same_query_in_own_transaction(app)
            except sa.exc.DBAPIError as exc:
                failures.append(str(exc.orig))
    assert failures and all("prepared statement" in message for message in failures)


@pytest.mark.parametrize("how", ["pgbouncer=true hint (auto)", "PAPERCLIP_DB_PREPARED_STATEMENTS=false"])
async def test_app_works_through_transaction_mode_pgbouncer(start_bouncer, database_url, make_settings, how):
    from paperclip.server.runtime import build_app

    bouncer = start_bouncer(database_url)
    _two_server_connections(bouncer.url())
    if how.startswith("pgbouncer"):
        url, extra = bouncer.url("pgbouncer=true"), {}
    else:
        url, extra = bouncer.url(), {"PAPERCLIP_DB_PREPARED_STATEMENTS": "false"}
    settings = make_settings({"DATABASE_URL": url, **extra})
    assert settings.database.prepared_statements is False

    app = build_app(settings, url, 3100, role="api")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:
            # Far more than psycopg's prepare threshold (5) of identical queries, sequential and concurrent.
            for _ in range(50):
                response = await client.get("/api/health")
                assert response.status_code == 200, response.text
            responses = await asyncio.gather(*(client.get("/api/health") for _ in range(30)))
            assert {r.status_code for r in responses} == {200}

        for _ in range(30):
            assert await _same_query_in_own_transaction(app) == 0
        assert set(await asyncio.gather(*(_same_query_in_own_transaction(app) for _ in range(20)))) == {0}


def test_migrations_work_through_the_pooler_and_leave_no_lock(start_bouncer, empty_database):
    bouncer = start_bouncer(empty_database)
    before, after = run_migrations(bouncer.url("pgbouncer=true"))
    assert before.pending and after.up_to_date
    again_before, _ = run_migrations(bouncer.url())
    assert again_before.up_to_date
    # The migration lock is transaction-scoped: nothing stays behind on a pooled server connection.
    assert query(empty_database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == [(0,)]


async def test_fast_reads_work_through_transaction_mode_pgbouncer(start_bouncer, database_url, make_settings):
    """The asyncpg read pool behind the pooler: no named prepared statements, so no failures."""
    from paperclip.db.rawsql import READ_POOL_KEY, Sql
    from paperclip.server.runtime import build_app

    bouncer = start_bouncer(database_url)
    _two_server_connections(bouncer.url())
    url = bouncer.url("pgbouncer=true")
    app = build_app(make_settings({"DATABASE_URL": url}), url, 3100, role="api")
    count = Sql("SELECT count(*) FROM companies WHERE name <> $1")
    async with app.router.lifespan_context(app):
        assert app.state.read_pool is not None

        async def read() -> int:
            async with app.state.read_sessions() as session:
                session.info[READ_POOL_KEY] = app.state.read_pool
                return await count.fetchval(session, "x")

        for _ in range(30):
            assert await read() == 0
        assert set(await asyncio.gather(*(read() for _ in range(20)))) == {0}


@pytest.mark.parametrize("direct", [True, False], ids=["direct-url-for-listen", "no-direct-url-polls"])
async def test_wake_ups_through_transaction_mode_pgbouncer_all_run(
    start_bouncer, database_url, make_settings, direct
):
    """Plain on-demand wake-ups run as one statement on the asyncpg pool, through the pooler too,
    sequential and concurrent. A LISTEN through the pooler would hear nothing, so the runner listens
    on the direct connection when PAPERCLIP_MIGRATION_DATABASE_URL names one, and polls otherwise:
    either way every run starts and ends."""
    from paperclip.server.runtime import build_app

    bouncer = start_bouncer(database_url)
    _two_server_connections(bouncer.url())
    url = bouncer.url("pgbouncer=true")
    env = {"DATABASE_URL": url, **({"PAPERCLIP_MIGRATION_DATABASE_URL": database_url} if direct else {})}
    app = build_app(make_settings(env), url, 3100, role="all")  # its runner's LISTEN is the test
    async with app.router.lifespan_context(app):
        assert app.state.read_pool is not None
        runner = app.state.heartbeat.runner
        assert (runner.listen_url, runner.polling) == ((database_url, False) if direct else (url, True))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:
            company = (await client.post("/api/companies", json={"name": "Pooled"})).json()["id"]
            agent = (
                await client.post(
                    f"/api/companies/{company}/agents",
                    json={
                        "name": "Pooled agent",
                        "adapterType": "process",
                        "adapterConfig": {"command": "true"},
                    },
                )
            ).json()["id"]
            answers = [await client.post(f"/api/agents/{agent}/wakeup", json={}) for _ in range(10)]
            answers += await asyncio.gather(
                *(client.post(f"/api/agents/{agent}/wakeup", json={}) for _ in range(10))
            )
            assert {r.status_code for r in answers} == {202}, [
                r.text for r in answers if r.status_code != 202
            ]
            ids = [r.json()["id"] for r in answers]
            deadline = time.monotonic() + 60
            while True:
                runs = (
                    await client.get(f"/api/companies/{company}/heartbeat-runs", params={"limit": 100})
                ).json()
                if sorted(r["id"] for r in runs if r["status"] == "succeeded") == sorted(ids):
                    break
                assert time.monotonic() < deadline, [r["status"] for r in runs]
                await asyncio.sleep(0.1)

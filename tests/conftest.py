"""Test harness: one real PostgreSQL per test session (the embedded manager, or
PAPERCLIP_TEST_DATABASE_URL), migrated once into a template; each test gets a fresh database
cloned from it, so tests never see each other's rows."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from paperclip.config import Settings, load_settings
from paperclip.db.embedded import EmbeddedPostgres
from paperclip.db.migrate import run_migrations

# Process-level suites: real `paperclipai` server processes, the CLI as a subprocess, the browser.
# `pytest -m "not slow"` leaves them out of the edit loop; CI runs everything.
SLOW_SUITES = ("server", "cli", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(tests_dir).parts
        if len(parts) > 1 and parts[0] in SLOW_SUITES:
            item.add_marker(pytest.mark.slow)


TEMPLATE_DB = "paperclip_template"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_server(request) -> Iterator[str]:
    """Admin URL (database `postgres`) of the session's PostgreSQL server."""
    external = os.environ.get("PAPERCLIP_TEST_DATABASE_URL")
    if external:
        yield _with_db(external, "postgres")
        return
    root = Path(tempfile.mkdtemp(prefix="paperclip-test-pg-"))
    os.chmod(root, 0o755)  # the unprivileged PostgreSQL user (when tests run as root) must reach it
    pg = EmbeddedPostgres(root / "db", free_port())
    pg.start()
    try:
        yield pg.admin_url()
    finally:
        pg.stop()
        if request.session.testsfailed:
            print(f"\nPostgreSQL log of this test session kept in {root / 'db' / 'postgres.log'}")
        else:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def template_url(pg_server: str) -> str:
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    url = _with_db(pg_server, TEMPLATE_DB)
    run_migrations(url)
    return url


@pytest.fixture
def database_url(pg_server: str, template_url: str) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    yield _with_db(pg_server, name)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def paperclip_home() -> Iterator[Path]:
    """An instance home the unprivileged PostgreSQL user can reach (pytest's tmp_path is 0700 under
    root), so an embedded cluster started by a test stays in it and is removed with it."""
    root = Path(tempfile.mkdtemp(prefix="paperclip-home-"))
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def make_settings(paperclip_home: Path):
    """Settings for a test: an isolated home, the process env left out unless passed in."""

    def build(env: dict[str, str] | None = None, **kwargs) -> Settings:
        base = {
            "PAPERCLIP_HOME": str(paperclip_home),
            "HEARTBEAT_SCHEDULER_ENABLED": "false",
            "PAPERCLIP_DB_BACKUP_ENABLED": "false",
            "PAPERCLIP_AGENT_JWT_SECRET": "test-jwt-secret-0123456789abcdef",
        }
        base.update(env or {})
        return load_settings(base, cwd=paperclip_home, **kwargs)

    return build


@pytest.fixture
def settings(make_settings) -> Settings:
    return make_settings()


@pytest.fixture
async def app(request: pytest.FixtureRequest, settings: Settings, database_url: str):
    """The API app with its lifespan running (engine, start-up steps) against the test database.

    Its heartbeat runtime is not started (process role "api": no runner, scheduler loop, reaper or
    backups): wake-ups leave queued runs. A test whose runs must be executed asks for
    `app_with_runner` (in its arguments, or `pytestmark = pytest.mark.usefixtures("app_with_runner")`);
    then this same app is built with role "all", as `paperclipai run` serves."""
    from paperclip.server.runtime import build_app

    role = "all" if "app_with_runner" in request.fixturenames else "api"
    application = build_app(settings, database_url, 3100, role=role)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def app_with_runner(app):
    """`app` with its heartbeat runtime started (runner, reaper; the scheduler loop when the settings
    enable it): for tests whose wake-ups must produce finished runs. `client` and the factories then
    speak to this app."""
    assert app.state.heartbeat is not None and app.state.heartbeat.runner is not None
    return app


@pytest.fixture
def heartbeat(app):
    """The heartbeat runtime whose steps a test calls itself (`tick(now)`, `reap_orphans(now)`): the
    app's started one on `app_with_runner`; otherwise one on the app's database that is not started
    (no runner, no loops), so one tick is one call and nothing runs in the background."""
    if app.state.heartbeat is not None:
        return app.state.heartbeat
    from paperclip.heartbeat.runtime import HeartbeatRuntime

    return HeartbeatRuntime(
        app.state.settings,
        app.state.database,
        replica_id=app.state.replica_id,
        api_url=app.state.api_url,
        ticks=app.state.scheduler_ticks,
    )


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the app in-process (local_trusted: requests act as the board).
    Every answer is checked against /api/openapi.json (tests/openapi_conformance.py)."""
    from openapi_conformance import Conformance

    transport = httpx.ASGITransport(app=app)
    hooks = {"response": [Conformance.of(app).check]}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:3100", event_hooks=hooks
    ) as http:
        yield http


@pytest.fixture
def live_server(settings, database_url):
    """Our app served by uvicorn on a free 127.0.0.1 port in a background thread (its own event loop),
    so concurrent requests use real parallel HTTP and database connections."""
    import asyncio
    import socket
    import threading
    import time

    import uvicorn

    from paperclip.server.runtime import build_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = build_app(settings, database_url, port, role="all")  # as `paperclipai run`: heartbeats too
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def api(client):
    """Companies, agents, issues… made through the HTTP API (tests/factories.py)."""
    from factories import ApiFactory

    return ApiFactory(client)


@pytest.fixture
def factory(app):
    """Rows made and read with the app's sessions; waiting for runs (tests/factories.py)."""
    from factories import RowFactory

    return RowFactory(app)


@pytest.fixture
def db(database_url):
    """Plain SQL on the test database (tests/factories.py)."""
    from factories import Sql

    return Sql(database_url)

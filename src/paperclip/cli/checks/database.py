"""Check 6, Database: external — connects, PostgreSQL >= 17, migrations current; embedded — data dir and port."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import psycopg
import sqlalchemy as sa

from paperclip.cli import queries
from paperclip.cli.checks.base import CheckResult
from paperclip.config import Settings
from paperclip.config.dbpassword import embedded_password
from paperclip.config.settings import mask_url_password
from paperclip.db.embedded import SUPERUSER, port_in_use
from paperclip.db.engine import check_server_version, connect_args, sqlalchemy_url
from paperclip.db.migrate import inspect, linear_head, recorded_head_matches
from paperclip.errors import AppError

NAME = "Database"
CONNECT_TIMEOUT_SECONDS = 5


def check(settings: Settings) -> CheckResult:
    if settings.database.embedded:
        return _embedded(settings)
    return _external(settings)


def _external(settings: Settings) -> CheckResult:
    db = settings.database
    shown = mask_url_password(db.url)
    engine = sa.create_engine(
        sqlalchemy_url(db.url),
        poolclass=sa.NullPool,
        connect_args={**connect_args(db.prepared_statements), "connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    try:
        with engine.connect() as conn:
            version = check_server_version(conn)
            # The warm start's case, without importing Alembic (~0.2-0.4 s of CPU): the head is recorded.
            current = linear_head() if recorded_head_matches(conn) else None
            pending = []
            if current is None:
                state = inspect(conn)
                current, pending = state.current, state.pending
    except AppError as exc:
        return CheckResult(NAME, "fail", exc.message, "Point DATABASE_URL at PostgreSQL 17 or newer")
    except sa.exc.DBAPIError as exc:
        reason = (str(exc.orig).strip().splitlines() or ["connection failed"])[0]
        return CheckResult(
            NAME,
            "fail",
            f"Cannot connect to {shown}: {reason}",
            "Check DATABASE_URL (or database.connectionString)",
        )
    finally:
        engine.dispose()
    server = f"PostgreSQL {version // 10000}.{version % 10000} at {shown}"
    if pending:
        names = ", ".join(pending[:3]) + (f" (+{len(pending) - 3} more)" if len(pending) > 3 else "")
        return CheckResult(
            NAME,
            "warn",
            f"{server}; {len(pending)} pending migration(s): {names}",
            "Run `paperclipai db migrate` (start-up applies them unless PAPERCLIP_MIGRATION_PROMPT=never)",
        )
    if not db.prepared_statements and not db.migration_url:
        return CheckResult(
            NAME,
            "warn",
            f"{server}; migrations up to date ({current}); prepared statements off "
            "(a transaction-mode pooler), where LISTEN/NOTIFY cannot work: wake-ups start by polling, "
            "within about a second",
            "Set PAPERCLIP_MIGRATION_DATABASE_URL to the direct connection (e.g. port 5432)",
        )
    return CheckResult(NAME, "pass", f"{server}; migrations up to date ({current})")


def _embedded(settings: Settings) -> CheckResult:
    db = settings.database
    data_dir, port = db.embedded_data_dir, db.embedded_port
    state = "initialised" if (data_dir / "PG_VERSION").exists() else "will be initialised on first start"
    relocated = data_dir.with_name(data_dir.name + ".location")
    if relocated.exists():
        state = f"relocated for the PostgreSQL user (see {relocated})"
    message = f"Embedded PostgreSQL, data dir {data_dir} ({state}), port {port}"
    if db.fallback_warning:
        return CheckResult(
            NAME, "warn", f"{message}; {db.fallback_warning}", "Set DATABASE_URL or database.connectionString"
        )
    if port_in_use(port):
        owner = _embedded_owner(port, embedded_password(settings))
        ours = owner is not None and (relocated.exists() or Path(owner).resolve() == data_dir.resolve())
        if not ours:
            who = f"PostgreSQL for {owner}" if owner else "another process"
            return CheckResult(
                NAME,
                "warn",
                f"{message}; the port is in use by {who}",
                f"Set {db.embedded_port_source} to a free port, or stop the process using port {port}",
            )
        message += ", already running"
    return CheckResult(NAME, "pass", message)


def _embedded_owner(port: int, password: str) -> str | None:
    """The data directory of a PostgreSQL with our embedded credentials on `port`, if it is one."""
    url = f"postgresql://{SUPERUSER}:{quote(password, safe='')}@127.0.0.1:{port}/postgres"
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            return str(queries.DATA_DIRECTORY.fetchval_sync(conn))
    except psycopg.Error:
        return None

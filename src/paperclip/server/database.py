"""Bringing up the database for a server or CLI command: embedded or external, then migrations."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from paperclip.config import Settings
from paperclip.config.dbpassword import embedded_password
from paperclip.db.embedded import EmbeddedPostgres
from paperclip.db.migrate import startup_migrations

log = logging.getLogger("paperclip.db")


@dataclass
class Database:
    url: str
    embedded: EmbeddedPostgres | None
    migrations: str = "skipped"

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def start_database(
    settings: Settings,
    *,
    migrate: bool = True,
    interactive: bool | None = None,
    meanwhile: Callable[[], Any] | None = None,
) -> Database:
    """`meanwhile`: work for this thread while the embedded PostgreSQL starts (called before the
    migrations; called first when there is no embedded database)."""
    db = settings.database
    if db.fallback_warning:
        log.warning(db.fallback_warning)
    embedded = None
    if db.embedded:
        embedded = EmbeddedPostgres(
            db.embedded_data_dir,
            db.embedded_port,
            port_setting=db.embedded_port_source,
            user_name=settings.env.get("PAPERCLIP_EMBEDDED_POSTGRES_USER", "paperclip"),
            password=embedded_password(settings, create=True),
        )
        _start(embedded, meanwhile)
        for warning in embedded.warnings:
            log.warning(warning)
        url, label = embedded.url, "embedded PostgreSQL"
    else:
        if meanwhile is not None:
            meanwhile()
        url, label = db.url, "DATABASE_URL"
    result = Database(url=url, embedded=embedded)
    if not migrate:
        return result
    try:
        # PAPERCLIP_MIGRATION_DATABASE_URL: the guide's direct connection (port 5432) for schema
        # changes while the app itself goes through the pooler.
        migration_url = db.migration_url if (db.migration_url and not embedded) else url
        result.migrations = startup_migrations(
            migration_url,
            prepared_statements=False,
            fresh_cluster=bool(embedded and embedded.initialised_here),
            auto_apply=db.migration_auto_apply,
            prompt_never=db.migration_prompt_never,
            label="PAPERCLIP_MIGRATION_DATABASE_URL" if migration_url != url else label,
            interactive=interactive,
        )
    except BaseException:
        result.stop()
        raise
    return result


def _start(embedded: EmbeddedPostgres, meanwhile: Callable[[], Any] | None) -> None:
    """Start the cluster; with `meanwhile`, in a helper thread while this one runs `meanwhile`.

    Starting is mostly waiting (pg_ctl polls for the postmaster, then one connection), so the two
    overlap well. The helper imports nothing (what it needs is imported first), so the two threads'
    imports cannot interlock. Whatever happens here, a cluster this call started is stopped again
    unless the call returns normally."""
    if meanwhile is None:
        embedded.start()
        return
    import psycopg  # noqa: F401 - embedded.start() imports these; here, before the helper runs
    import psycopg.sql  # noqa: F401

    failed: list[BaseException] = []

    def start() -> None:
        try:
            embedded.start()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failed.append(exc)

    helper = threading.Thread(target=start, name="embedded-postgres-start", daemon=True)
    helper.start()
    try:
        meanwhile()
    except BaseException:
        helper.join()
        embedded.stop()  # only what this call started (EmbeddedPostgres.started_here)
        raise
    helper.join()
    if failed:
        raise failed[0]


def backup_source_url(settings: Settings, url: str) -> str:
    """What pg_dump connects to: the direct migration URL when there is one, since pg_dump's
    session settings do not survive a transaction-mode pooler."""
    if not settings.database.embedded and settings.database.migration_url:
        return settings.database.migration_url
    return url

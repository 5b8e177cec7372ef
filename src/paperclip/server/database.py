"""Bringing up the database for a server or CLI command: embedded or external, then migrations."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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


def start_database(settings: Settings, *, migrate: bool = True, interactive: bool | None = None) -> Database:
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
        embedded.start()
        for warning in embedded.warnings:
            log.warning(warning)
        url, label = embedded.url, "embedded PostgreSQL"
    else:
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


def backup_source_url(settings: Settings, url: str) -> str:
    """What pg_dump connects to: the direct migration URL when there is one, since pg_dump's
    session settings do not survive a transaction-mode pooler."""
    if not settings.database.embedded and settings.database.migration_url:
        return settings.database.migration_url
    return url

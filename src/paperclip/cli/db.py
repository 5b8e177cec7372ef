"""Database commands: `db migrate`, `db:backup` (alias `db backup`), `db:restore` (alias `db restore`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from paperclip.cli.common import ConfigOpt, DataDir, Instance, JsonOpt, console, handles_errors, settings_for
from paperclip.config.settings import mask_url_password
from paperclip.errors import StartupError

# The database modules (SQLAlchemy, psycopg, Alembic) are imported inside the commands: every
# `paperclipai` invocation imports this module, and most never touch the database.

db_app = typer.Typer(help="Database commands", no_args_is_help=True)

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Connection URL to use instead of DATABASE_URL (e.g. a direct, non-pooled connection on port 5432)",
    ),
]


def migrate_command(
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply pending schema migrations (PAPERCLIP_MIGRATION_DATABASE_URL or --url for a direct connection)."""
    _migrate(data_dir, config, instance, url, as_json)


@handles_errors
def _migrate(data_dir, config, instance, url, as_json) -> None:
    from paperclip.db.migrate import run_migrations
    from paperclip.server.database import start_database

    settings = settings_for(data_dir, config, instance)
    target = url or settings.database.migration_url
    database = None
    if not target:
        database = start_database(settings, migrate=False)
        target = database.url
    try:
        # Migrations never prepare statements, so this also works through a transaction-mode pooler;
        # the guide's way is still a direct connection (--url or PAPERCLIP_MIGRATION_DATABASE_URL).
        label = (
            "--url"
            if url
            else "PAPERCLIP_MIGRATION_DATABASE_URL"
            if settings.database.migration_url
            else "embedded PostgreSQL"
            if settings.database.embedded
            else "DATABASE_URL"
        )
        before, after = run_migrations(target, label=label)
    finally:
        if database is not None:
            database.stop()
    result = {
        "database": mask_url_password(target),
        "applied": before.pending,
        "current": after.current,
        "head": after.head,
    }
    if as_json:
        typer.echo(json.dumps(result))
    elif before.pending:
        console.print(
            f"[green]✓[/] Applied {len(before.pending)} migration(s) to {result['database']}: {', '.join(before.pending)}"
        )
    else:
        console.print(f"[green]✓[/] Schema is up to date ({after.current}) on {result['database']}")


def backup_command(
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    dir: Annotated[
        Path | None, typer.Option("--dir", help="Backup directory (default: database.backup.dir)")
    ] = None,
    retention_days: Annotated[
        int | None, typer.Option("--retention-days", min=1, max=3650, help="Delete backups older than this")
    ] = None,
    filename_prefix: Annotated[str, typer.Option("--filename-prefix")] = "paperclip",
    as_json: JsonOpt = False,
) -> None:
    """Write a gzip'd pg_dump of the database and prune old backups."""
    _backup(data_dir, config, instance, dir, retention_days, filename_prefix, as_json)


@handles_errors
def _backup(data_dir, config, instance, dir, retention_days, prefix, as_json) -> None:
    from paperclip.clock import utcnow
    from paperclip.db.backup import run_backup
    from paperclip.server.database import backup_source_url, start_database
    from paperclip.storage.backups import copy_offsite

    settings = settings_for(data_dir, config, instance)
    database = start_database(settings, migrate=False)
    try:
        if not as_json:
            console.print(f"Backing up {mask_url_password(database.url)} …")
        now = utcnow()
        result = run_backup(
            backup_source_url(settings, database.url),
            backup_dir=(dir or settings.backup.dir).expanduser(),
            retention_days=retention_days or settings.backup.retention_days,
            now=now,
            prefix=prefix,
        )
    finally:
        database.stop()
    result = copy_offsite(
        settings.storage, result, now
    )  # with S3 storage: a copy that outlives the container
    if as_json:
        typer.echo(json.dumps(result.to_json()))
    else:
        console.print(
            f"[green]✓[/] Backup written: {result.backup_file} ({result.size_bytes} bytes); pruned {result.pruned_count} old backup(s)"
        )
        if result.remote is not None:
            console.print(
                f"[green]✓[/] Copied to {result.remote.location}; pruned {result.remote.pruned} old copy(ies) there"
            )


def restore_command(
    backup_file: Annotated[
        str,
        typer.Argument(
            help="A .sql.gz (or .sql) file written by db:backup, or with S3 storage "
            "a key in the bucket (s3://bucket/<prefix>/backups/x.sql.gz or backups/x.sql.gz)"
        ),
    ],
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace the database's contents with a backup, in one transaction. Stop the server first."""
    _restore(backup_file, data_dir, config, instance, yes)


@handles_errors
def _restore(backup_file, data_dir, config, instance, yes) -> None:
    from paperclip.db.backup import restore_backup
    from paperclip.server.database import backup_source_url, start_database
    from paperclip.storage.backups import download_backup, looks_remote, remote_provider

    settings = settings_for(data_dir, config, instance)
    ref, backup_file = backup_file, Path(backup_file)  # a str first: Path would fold s3:// into s3:/
    if not yes and not typer.confirm(f"Replace the contents of the database with {ref}?", default=False):
        raise typer.Exit(1)
    downloaded = None
    if not backup_file.expanduser().exists() and looks_remote(ref):
        provider = remote_provider(settings.storage)
        if provider is None:
            raise StartupError(
                f"{ref} looks like a key in S3, but storage is not S3 (set PAPERCLIP_STORAGE_PROVIDER=s3 "
                "and PAPERCLIP_STORAGE_S3_*)"
            )
        console.print(f"Downloading {ref} from {provider.describe()} …")
        downloaded = backup_file = download_backup(provider, ref)
    database = start_database(settings, migrate=False)
    try:
        if database.embedded is not None and database.embedded.adopted:
            # Someone else (normally `paperclipai run`) has the embedded database up: replacing
            # tables under a live server would hand its requests half-restored data.
            raise StartupError(
                f"The embedded database in {database.embedded.data_dir} is in use by a running server; "
                "stop `paperclipai run` first, then restore"
            )
        console.print(f"Restoring {backup_file} into {mask_url_password(database.url)} …")
        restore_backup(backup_source_url(settings, database.url), backup_file.expanduser())
    finally:
        database.stop()
        if downloaded is not None:
            downloaded.unlink(missing_ok=True)
    console.print("[green]✓[/] Restore complete")


db_app.command("migrate")(migrate_command)
db_app.command("backup")(backup_command)
db_app.command("restore")(restore_command)

"""`paperclipai secrets rotate-master-key`: re-encrypt every local secret under a new master key."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from paperclip.cli.common import ConfigOpt, DataDir, Instance, JsonOpt, console, handles_errors, settings_for

secrets_app = typer.Typer(help="Company secrets and the master key.", no_args_is_help=True)


@secrets_app.command("rotate-master-key")
def rotate_master_key_command(
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Re-encrypt every local_encrypted secret under a new master key, in one transaction; the old key
    file is kept as a dated backup beside it."""
    _rotate(data_dir, config, instance, yes, as_json)


@handles_errors
def _rotate(data_dir, config, instance, yes, as_json) -> None:
    from paperclip.clock import utcnow
    from paperclip.secrets.rotation import rotate_master_key
    from paperclip.server.database import start_database

    settings = settings_for(data_dir, config, instance)
    if not yes and not typer.confirm(
        f"Re-encrypt every secret under a new master key ({settings.secrets.master_key_file})?", default=False
    ):
        raise typer.Exit(1)
    database = start_database(settings, migrate=False)
    try:
        result = rotate_master_key(settings, database.url, utcnow())
    finally:
        database.stop()
    if as_json:
        typer.echo(json.dumps(result.to_json()))
        return
    console.print(
        f"[green]✓[/] Re-encrypted {result.versions} secret version(s): master key fingerprint "
        f"{result.old_fingerprint} → {result.new_fingerprint}"
    )
    console.print(
        f"  New key: {result.key_file} (0600). Old key kept as {result.backup_file}: back up the new key now; "
        "delete the old one once your backups hold the new key."
    )

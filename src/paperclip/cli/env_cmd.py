"""`paperclipai env`: the deployment variables, where each value comes from, and an export block.

Secret values are never printed in full: only their last four characters, so two machines can be
compared without the secret reaching a terminal scroll-back or a CI log.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from paperclip.cli.common import ConfigOpt, DataDir, Instance, JsonOpt, console, handles_errors, settings_for
from paperclip.config import Settings
from paperclip.config.settings import mask_url_password
from paperclip.config.store import read_env_file

MISSING = "<set-this-value>"


@dataclass(frozen=True)
class Var:
    name: str
    config_path: str | None = None  # where config.json holds the same setting
    effective: Callable[[Settings], Any] | None = None  # the value in effect when not set by env
    required: bool = False
    secret: bool = False


def _s3(attr: str) -> Callable[[Settings], Any]:
    return lambda s: getattr(s.storage, attr)


VARIABLES = [
    Var("PAPERCLIP_AGENT_JWT_SECRET", required=True, secret=True),
    Var(
        "DATABASE_URL",
        "database.connectionString",
        lambda s: s.database.url or None,
        required=True,
        secret=True,
    ),
    Var("PAPERCLIP_HOME", None, lambda s: s.paths.home),
    Var("PAPERCLIP_INSTANCE_ID", None, lambda s: s.paths.instance_id),
    Var("PAPERCLIP_DEPLOYMENT_MODE", "server.deploymentMode", lambda s: s.deployment_mode),
    Var("PAPERCLIP_DEPLOYMENT_EXPOSURE", "server.exposure", lambda s: s.deployment_exposure),
    Var("PAPERCLIP_BIND", "server.bind", lambda s: s.bind),
    Var("HOST", "server.host", lambda s: s.host),
    Var("PORT", "server.port", lambda s: s.port),
    Var("PAPERCLIP_AUTH_BASE_URL_MODE", "auth.baseUrlMode", lambda s: s.auth_base_url_mode),
    Var("PAPERCLIP_AUTH_PUBLIC_BASE_URL", "auth.publicBaseUrl", lambda s: s.auth_public_base_url),
    Var("BETTER_AUTH_SECRET", secret=True),
    Var(
        "PAPERCLIP_ALLOWED_HOSTNAMES",
        "server.allowedHostnames",
        lambda s: ",".join(s.allowed_hostnames) or None,
    ),
    Var("PAPERCLIP_SECRETS_PROVIDER", "secrets.provider", lambda s: s.secrets.provider),
    Var("PAPERCLIP_SECRETS_STRICT_MODE", "secrets.strictMode", lambda s: s.secrets.strict_mode),
    Var("PAPERCLIP_SECRETS_MASTER_KEY", secret=True),
    Var(
        "PAPERCLIP_SECRETS_MASTER_KEY_FILE",
        "secrets.localEncrypted.keyFilePath",
        lambda s: s.secrets.master_key_file,
    ),
    Var("PAPERCLIP_STORAGE_PROVIDER", "storage.provider", _s3("provider")),
    Var("PAPERCLIP_STORAGE_LOCAL_DIR", "storage.localDisk.baseDir", _s3("local_dir")),
    Var("PAPERCLIP_STORAGE_S3_BUCKET", "storage.s3.bucket", _s3("s3_bucket")),
    Var("PAPERCLIP_STORAGE_S3_REGION", "storage.s3.region", _s3("s3_region")),
    Var("PAPERCLIP_STORAGE_S3_ENDPOINT", "storage.s3.endpoint", _s3("s3_endpoint")),
    Var("PAPERCLIP_STORAGE_S3_PREFIX", "storage.s3.prefix", _s3("s3_prefix")),
    Var("PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE", "storage.s3.forcePathStyle", _s3("s3_force_path_style")),
    Var("PAPERCLIP_LOG_DIR", "logging.logDir", lambda s: s.log_dir),
    Var("PAPERCLIP_DB_BACKUP_ENABLED", "database.backup.enabled", lambda s: s.backup.enabled),
    Var(
        "PAPERCLIP_DB_BACKUP_INTERVAL_MINUTES",
        "database.backup.intervalMinutes",
        lambda s: s.backup.interval_minutes,
    ),
    Var(
        "PAPERCLIP_DB_BACKUP_RETENTION_DAYS",
        "database.backup.retentionDays",
        lambda s: s.backup.retention_days,
    ),
    Var("PAPERCLIP_DB_BACKUP_DIR", "database.backup.dir", lambda s: s.backup.dir),
    Var("PAPERCLIP_ENABLE_COMPANY_DELETION", None, lambda s: s.company_deletion_enabled),
    Var("HEARTBEAT_SCHEDULER_ENABLED", None, lambda s: s.heartbeat_scheduler_enabled),
    Var("HEARTBEAT_SCHEDULER_INTERVAL_MS", None, lambda s: s.heartbeat_interval_ms),
]


def mask(name: str, value: str) -> str:
    if name == "DATABASE_URL":
        return mask_url_password(value)
    return "****" + value[-4:] if len(value) >= 16 else "****"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def _config_value(settings: Settings, path: str | None) -> Any:
    """The value written in config.json at `path`, or None when the file does not set it."""
    if settings.config is None or path is None:
        return None
    node: Any = settings.config.dump()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if path == "database.connectionString" and settings.config.database.mode != "postgres":
        return None
    return node


def describe(settings: Settings, process_env: dict[str, str], cwd: Path | None = None) -> list[dict]:
    dotenv = {**read_env_file((cwd or Path.cwd()) / ".env"), **read_env_file(settings.instance_env_file)}
    rows = []
    for var in VARIABLES:
        if process_env.get(var.name, "").strip():
            source, value = "env", process_env[var.name]
        elif dotenv.get(var.name, "").strip():
            source, value = ".env", dotenv[var.name]
        elif (configured := _text(_config_value(settings, var.config_path))) is not None:
            source, value = "config", configured
        elif var.effective is not None and (default := _text(var.effective(settings))) not in (None, ""):
            source, value = "default", default
        else:
            source, value = "missing", None
        shown = mask(var.name, value) if value is not None and var.secret else value
        rows.append(
            {
                "name": var.name,
                "required": var.required,
                "secret": var.secret,
                "source": source,
                "value": shown,
            }
        )
    return rows


def env_command(
    data_dir: DataDir = None, config: ConfigOpt = None, instance: Instance = None, as_json: JsonOpt = False
) -> None:
    """Show the deployment environment variables, their sources, and an export block."""
    _env(data_dir, config, instance, as_json)


@handles_errors
def _env(data_dir, config, instance, as_json) -> None:
    process_env = dict(os.environ)
    settings = settings_for(data_dir, config, instance, process_env)
    rows = describe(settings, process_env)
    missing = [r["name"] for r in rows if r["required"] and r["source"] == "missing"]
    if as_json:
        typer.echo(
            json.dumps(
                {"configPath": str(settings.config_path), "variables": rows, "missingRequired": missing},
                indent=2,
            )
        )
        return
    for title, required in (("Required", True), ("Optional", False)):
        console.print(f"[bold]{title}[/]")
        for row in (r for r in rows if r["required"] is required):
            value = row["value"] if row["value"] is not None else "-"
            console.print(
                f"  {row['name']:<40} {row['source']:<8} {value}",
                highlight=False,
                soft_wrap=True,
                markup=False,
            )
        console.print()
    console.print("[bold]Export[/] (secret values are masked: copy them from their source)")
    for row in rows:
        if row["required"] or row["source"] in ("env", ".env", "config"):
            if row["value"] is None:
                quoted = MISSING
            elif row["secret"] and row["name"] != "DATABASE_URL":
                quoted = f"<secret {row['value']} from {row['source']}>"
            else:
                quoted = shlex.quote(row["value"])
            console.print(f"export {row['name']}={quoted}", highlight=False, soft_wrap=True, markup=False)
    if missing:
        console.print(f"\n[yellow]Missing required:[/] {', '.join(missing)}", highlight=False)
        if "DATABASE_URL" in missing and settings.database.embedded:
            console.print(
                "  (without DATABASE_URL the embedded PostgreSQL is used, which is fine on a single machine)",
                soft_wrap=True,
            )

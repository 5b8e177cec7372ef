"""The start-up banner (reference §8): readable lines locally, one JSON line in JSON log mode."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from paperclip.config import Settings
from paperclip.config.settings import mask_url_password


@dataclass
class StartupFacts:
    port: int
    requested_port: int
    database_url: str
    embedded: bool
    migrations: str
    jwt_status: str


def banner_fields(settings: Settings, facts: StartupFacts) -> dict[str, str]:
    host_for_url = "localhost" if settings.host in ("0.0.0.0", "::", "127.0.0.1") else settings.host
    base = f"http://{host_for_url}:{facts.port}"
    port = str(facts.port) + (
        f" (requested {facts.requested_port})" if facts.port != facts.requested_port else ""
    )
    backup = (
        f"every {settings.backup.interval_minutes}m, keep {settings.backup.retention_days}d"
        if settings.backup.enabled
        else "disabled"
    )
    return {
        "Mode": ("embedded PostgreSQL" if facts.embedded else "external PostgreSQL") + " · headless-api",
        "Deploy": f"{settings.deployment_mode} ({settings.deployment_exposure})",
        "Bind": f"{settings.bind} ({settings.host})",
        "Auth": "ready" if settings.is_local_trusted or settings.auth_secret else "not ready",
        "Server": port + (f" · {settings.workers} workers" if settings.workers > 1 else ""),
        "API": f"{base}/api (health: {base}/api/health)",
        "Database": mask_url_password(facts.database_url),
        "Migrations": facts.migrations,
        "Agent JWT": facts.jwt_status,
        "Heartbeat": f"enabled ({settings.heartbeat_interval_ms}ms)"
        if settings.heartbeat_scheduler_enabled
        else "disabled",
        "DB Backup": backup,
        "Backup dir": str(settings.backup.dir),
        "Config": str(settings.config_path)
        + ("" if settings.config_path.exists() else " (not found; defaults + env)"),
    }


def print_banner(settings: Settings, facts: StartupFacts, stream=None) -> None:
    stream = stream or sys.stdout
    fields = banner_fields(settings, facts)
    if settings.log_format == "json":
        stream.write(
            json.dumps(
                {"event": "paperclip.started", **{k.lower().replace(" ", "_"): v for k, v in fields.items()}}
            )
            + "\n"
        )
    else:
        width = max(len(k) for k in fields)
        stream.write("\n  Paperclip server\n")
        for key, value in fields.items():
            stream.write(f"  {key.ljust(width)}  {value}\n")
        stream.write("\n")
    stream.flush()


def jwt_status(settings: Settings) -> str:
    if settings.agent_jwt_secret:
        return "set"
    from paperclip.config.store import read_env_file

    if read_env_file(settings.instance_env_file).get("PAPERCLIP_AGENT_JWT_SECRET"):
        return "found in .env but not loaded"
    return "missing (run `paperclipai doctor --repair`)"

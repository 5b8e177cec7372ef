"""Where to send requests and as whom: flags, then the agent run's environment, then the context profile."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from paperclip.cli.client import context

DEFAULT_API_BASE = "http://127.0.0.1:3100"


@dataclass
class Connection:
    api_base: str
    api_key: str | None
    run_id: str | None
    company_id: str | None
    agent_id: str | None
    profile_name: str
    context_file: Path


def _configured_base(config: str | None, data_dir: str | None, env: dict[str, str]) -> str | None:
    """The local instance's address from its config.json, when one is there (cheap: one small file)."""
    home = Path(data_dir or env.get("PAPERCLIP_HOME") or Path.home() / ".paperclip").expanduser()
    path = (
        Path(config).expanduser()
        if config
        else home / "instances" / env.get("PAPERCLIP_INSTANCE_ID", "default") / "config.json"
    )
    try:
        server = json.loads(path.read_text(encoding="utf-8")).get("server") or {}
    except (OSError, ValueError, AttributeError):
        return None
    host = server.get("host") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{server.get('port') or 3100}"


def _cli_login(api_base: str, data_dir: str | None, env: dict[str, str]) -> str | None:
    """The board API key `paperclipai auth login` stored for this server (the last resort)."""
    from paperclip.cli.auth_store import stored_token

    home = Path(data_dir or env.get("PAPERCLIP_HOME") or Path.home() / ".paperclip").expanduser()
    return stored_token(api_base, home)


def resolve(args, env: dict[str, str]) -> Connection:
    path = context.context_path(getattr(args, "context", None), getattr(args, "data_dir", None), env)
    profile_name, profile = context.active_profile(context.load(path), getattr(args, "profile", None))
    key_var = profile.get("apiKeyEnvVarName")
    api_base = (
        getattr(args, "api_base", None)
        or env.get("PAPERCLIP_API_URL")
        or profile.get("apiBase")
        or _configured_base(getattr(args, "config", None), getattr(args, "data_dir", None), env)
        or DEFAULT_API_BASE
    )
    api_key = (
        getattr(args, "api_key", None)
        or env.get("PAPERCLIP_API_KEY")
        or (env.get(key_var) if key_var else None)
        or profile.get("apiKey")
        or _cli_login(api_base, getattr(args, "data_dir", None), env)
    )
    return Connection(
        api_base=api_base.rstrip("/"),
        api_key=api_key,
        run_id=getattr(args, "run_id", None) or env.get("PAPERCLIP_RUN_ID"),
        company_id=getattr(args, "company_id", None)
        or env.get("PAPERCLIP_COMPANY_ID")
        or profile.get("companyId"),
        agent_id=env.get("PAPERCLIP_AGENT_ID") or profile.get("agentId"),
        profile_name=profile_name,
        context_file=path,
    )

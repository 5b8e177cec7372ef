"""Check 3, Agent JWT secret: PAPERCLIP_AGENT_JWT_SECRET set (the environment or the instance .env)."""

from __future__ import annotations

from paperclip.cli.checks.base import CheckResult
from paperclip.cli.instance_files import ensure_jwt_secret
from paperclip.config import Settings
from paperclip.config.store import read_env_file

NAME = "Agent JWT secret"


def check(settings: Settings) -> CheckResult:
    env_file = settings.instance_env_file
    if settings.agent_jwt_secret:
        return CheckResult(NAME, "pass", "PAPERCLIP_AGENT_JWT_SECRET is set")

    def repair() -> str:
        ensure_jwt_secret(env_file)
        return f"wrote PAPERCLIP_AGENT_JWT_SECRET to {env_file}"

    if read_env_file(env_file).get("PAPERCLIP_AGENT_JWT_SECRET"):
        # The real environment holds an empty value, which wins over the file.
        return CheckResult(
            NAME,
            "warn",
            f"PAPERCLIP_AGENT_JWT_SECRET is in {env_file} but not loaded",
            "Unset the empty PAPERCLIP_AGENT_JWT_SECRET in your environment",
        )
    if settings.better_auth_secret:
        return CheckResult(
            NAME,
            "warn",
            "PAPERCLIP_AGENT_JWT_SECRET is not set; agent run tokens are signed with BETTER_AUTH_SECRET",
            f"Set PAPERCLIP_AGENT_JWT_SECRET, or run `paperclipai doctor --repair` to write one to {env_file}",
            repair,
        )
    return CheckResult(
        NAME,
        "fail",
        f"PAPERCLIP_AGENT_JWT_SECRET is missing from the environment and {env_file}",
        "Run `paperclipai doctor --repair` to generate one",
        repair,
    )

"""Check 2, Deployment/auth mode: the start-up rules of reference §4.2, plus https for public exposure."""

from __future__ import annotations

from urllib.parse import urlsplit

from paperclip.cli.checks.base import CheckResult
from paperclip.config import Settings
from paperclip.errors import StartupError
from paperclip.server.checks import check_deployment

NAME = "Deployment/auth mode"


def check(settings: Settings) -> CheckResult:
    try:
        check_deployment(settings)
    except StartupError as exc:
        hint = None
        if "BETTER_AUTH_SECRET" in exc.message:
            hint = (
                f"Set BETTER_AUTH_SECRET, or run `paperclipai doctor --repair` to write PAPERCLIP_AGENT_JWT_SECRET "
                f"into {settings.instance_env_file}"
            )
        return CheckResult(NAME, "fail", exc.message, hint)
    summary = (
        f"Mode {settings.deployment_mode}/{settings.deployment_exposure} with bind {settings.bind} "
        f"and auth URL mode {settings.auth_base_url_mode}"
    )
    url = settings.auth_public_base_url
    if settings.deployment_exposure == "public" and url and urlsplit(url).scheme != "https":
        return CheckResult(
            NAME,
            "warn",
            f"{summary}; public URL {url} is not https",
            "Public exposure should use an https:// auth.publicBaseUrl (PAPERCLIP_AUTH_PUBLIC_BASE_URL)",
        )
    return CheckResult(NAME, "pass", summary)

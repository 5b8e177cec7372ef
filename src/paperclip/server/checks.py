"""Start-up refusals of reference §4.2 that need no database: one line each, naming the setting to fix."""

from __future__ import annotations

from paperclip.config import Settings
from paperclip.config.schema import LOOPBACK_HOSTS
from paperclip.errors import StartupError


def check_deployment(settings: Settings) -> None:
    if settings.deployment_mode == "local_trusted":
        if settings.host not in LOOPBACK_HOSTS:
            raise StartupError(
                f"local_trusted mode requires loopback host binding (received: {settings.host}). "
                "Use authenticated mode for non-loopback deployments (PAPERCLIP_DEPLOYMENT_MODE=authenticated)."
            )
        if settings.deployment_exposure != "private":
            raise StartupError(
                "local_trusted mode only supports private exposure (PAPERCLIP_DEPLOYMENT_EXPOSURE)"
            )
        return
    if settings.auth_base_url_mode == "explicit" and not settings.auth_public_base_url:
        raise StartupError(
            "auth.baseUrlMode=explicit requires auth.publicBaseUrl (set PAPERCLIP_AUTH_PUBLIC_BASE_URL)"
        )
    if settings.deployment_exposure == "public" and settings.auth_base_url_mode != "explicit":
        raise StartupError(
            "authenticated public exposure requires auth.baseUrlMode=explicit (set PAPERCLIP_AUTH_BASE_URL_MODE=explicit)"
        )
    if settings.deployment_exposure == "public" and not settings.auth_public_base_url:
        raise StartupError(
            "authenticated public exposure requires auth.publicBaseUrl (set PAPERCLIP_AUTH_PUBLIC_BASE_URL)"
        )
    if not settings.auth_secret:
        raise StartupError(
            "BETTER_AUTH_SECRET (or PAPERCLIP_AGENT_JWT_SECRET) must be set. For local development, "
            "set BETTER_AUTH_SECRET=paperclip-dev-secret in your .env file."
        )

"""Start-up checks of the secrets settings that are warnings, not errors."""

from __future__ import annotations

import logging

from paperclip.config import Settings

log = logging.getLogger("paperclip.server")

STRICT_MODE_WARNING = (
    "Strict secret mode should be enabled for authenticated deployments: PAPERCLIP_SECRETS_STRICT_MODE is off"
    " (or secrets.strictMode is false in config.json), so agent and project env may hold API keys, tokens and"
    " passwords as plain values. Set PAPERCLIP_SECRETS_STRICT_MODE=true and use secret references."
)


def warn_if_not_strict(settings: Settings) -> bool:
    """Authenticated deployments without strict mode: a warning on the console and in server.log."""
    if settings.is_local_trusted or settings.secrets.strict_mode:
        return False
    print(f"\n  WARNING: {STRICT_MODE_WARNING}\n", flush=True)
    log.warning(STRICT_MODE_WARNING)
    return True

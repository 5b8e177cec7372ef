"""The embedded PostgreSQL's password: one per instance, generated at first start into the
instance .env (0600) as PAPERCLIP_EMBEDDED_POSTGRES_PASSWORD, instead of the original's fixed
`paperclip` that anyone on the machine could use against its loopback port.

Clusters made before this keep working: the manager falls back to the old password once and
changes the role's password to the instance's (paperclip.db.embedded.EmbeddedPostgres).
"""

from __future__ import annotations

import secrets

from paperclip.config.settings import Settings
from paperclip.config.store import read_env_file, update_env_file

NAME = "PAPERCLIP_EMBEDDED_POSTGRES_PASSWORD"
LEGACY_PASSWORD = "paperclip"


def embedded_password(settings: Settings, *, create: bool = False) -> str:
    """The environment's value, else the instance .env's (read now: a start may have just written
    it); `create` writes a new one there when there is none (a server start), otherwise (a CLI
    check) the legacy password is the best guess for a cluster never started by this version."""
    value = settings.env.get(NAME) or read_env_file(settings.instance_env_file).get(NAME)
    if value:
        return value
    if not create:
        return LEGACY_PASSWORD
    value = secrets.token_urlsafe(24)
    update_env_file(settings.instance_env_file, {NAME: value})
    return value

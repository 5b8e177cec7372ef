"""Files an instance needs besides config.json: the JWT secret in .env and the secrets master key."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from paperclip.config.store import read_env_file, update_env_file, write_private_file


def ensure_jwt_secret(env_file: Path) -> bool:
    """Add PAPERCLIP_AGENT_JWT_SECRET (64 hex) to the instance .env if missing; True when written."""
    if read_env_file(env_file).get("PAPERCLIP_AGENT_JWT_SECRET"):
        return False
    update_env_file(env_file, {"PAPERCLIP_AGENT_JWT_SECRET": secrets.token_hex(32)})
    return True


def ensure_master_key(path: Path) -> bool:
    """Create the master key (32 random bytes, base64, mode 0600) if missing; True when written."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return False
    write_private_file(path, base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    os.chmod(path.parent, 0o700)
    return True

"""Check 4, Secrets adapter: the local_encrypted master key is present, readable, valid and private."""

from __future__ import annotations

import os
import stat

from paperclip.cli.checks.base import CheckResult
from paperclip.cli.instance_files import ensure_master_key
from paperclip.config import Settings
from paperclip.config.master_key import INVALID_ENV_KEY, decode_master_key

NAME = "Secrets adapter"


def check(settings: Settings) -> CheckResult:
    result = _key_check(settings)
    postgres = settings.config is not None and settings.config.database.mode == "postgres"
    if result.status == "pass" and postgres and not settings.secrets.strict_mode:
        result.status = "warn"
        result.message += "; strict secret mode is disabled for postgres deployment"
        result.hint = "Set PAPERCLIP_SECRETS_STRICT_MODE=true (or secrets.strictMode) so agent env secrets must be references"
    return result


def _key_check(settings: Settings) -> CheckResult:
    secrets = settings.secrets
    if secrets.provider != "local_encrypted":
        return CheckResult(NAME, "fail", f"{secrets.provider} is configured, but this build only supports local_encrypted",
                           "Set secrets.provider (or PAPERCLIP_SECRETS_PROVIDER) to local_encrypted")
    if secrets.master_key is not None:
        if decode_master_key(secrets.master_key) is None:
            return CheckResult(NAME, "fail", INVALID_ENV_KEY, "Generate one with: openssl rand -base64 32")
        return CheckResult(NAME, "pass", "local_encrypted with PAPERCLIP_SECRETS_MASTER_KEY from the environment")
    path = secrets.master_key_file

    def create() -> str:
        ensure_master_key(path)
        return f"created {path} (32 random bytes, mode 0600)"

    if not path.exists():
        return CheckResult(NAME, "warn", f"Secrets key file {path} does not exist yet",
                           "Run `paperclipai doctor --repair` to create it (it is also created on first use)", create)
    try:
        material = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not text"
        return CheckResult(NAME, "fail", f"Cannot read secrets key file {path}: {reason}",
                           "Fix its ownership/permissions (PAPERCLIP_SECRETS_MASTER_KEY_FILE / secrets.localEncrypted.keyFilePath)")
    if decode_master_key(material) is None:
        # Never repaired: replacing a key makes every stored secret unreadable.
        return CheckResult(NAME, "fail", f"Secrets key file {path} does not hold a valid key "
                           "(expected 32-byte base64, 64-char hex, or raw 32-char string)",
                           "Restore the original key from your backup; a new key cannot decrypt existing secrets")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:

        def tighten() -> str:
            os.chmod(path, 0o600)
            return f"chmod 600 {path}"

        return CheckResult(NAME, "warn", f"Secrets key file permissions are {mode:04o}; run chmod 600 {path}",
                           "Run `paperclipai doctor --repair` to fix the permissions", tighten)
    return CheckResult(NAME, "pass", f"local_encrypted with key file {path}")

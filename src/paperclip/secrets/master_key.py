"""Where the local_encrypted master key comes from (reference §6.2, plus two vault sources).

Order: `PAPERCLIP_SECRETS_MASTER_KEY` (the environment), else an AWS Secrets Manager secret
(`PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID`), else the key file (`PAPERCLIP_SECRETS_MASTER_KEY_FILE`,
which may be a file mounted by the orchestrator, e.g. /run/secrets/paperclip-master-key). Every
source holds the key in one of the decodings of `decode_master_key`. The key is read at each use,
never cached: a rotated key file takes effect without a restart.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets as random
import stat
from dataclasses import dataclass, field
from pathlib import Path

from paperclip.config import Settings
from paperclip.config.master_key import INVALID_ENV_KEY, decode_master_key
from paperclip.errors import AppError

FILE_SETTING = "PAPERCLIP_SECRETS_MASTER_KEY_FILE"
ENV_SETTING = "PAPERCLIP_SECRETS_MASTER_KEY"
AWS_SETTING = "PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID"


class MasterKeyError(AppError):
    """The master key is missing, unreadable or invalid; the message names the setting to fix."""

    status_code = 422


@dataclass(frozen=True)
class MasterKey:
    key: bytes = field(repr=False)
    source: str  # "env", "aws:<secret id>" or "file:<path>"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


def fingerprint(key: bytes) -> str:
    """First 12 hex characters of sha256(key): names a key without revealing it."""
    return hashlib.sha256(key).hexdigest()[:12]


def new_key_text() -> str:
    return base64.b64encode(random.token_bytes(32)).decode()


def aws_secret_id(settings: Settings) -> str | None:
    return (settings.env.get(AWS_SETTING) or "").strip() or None


def load_master_key(settings: Settings, *, create: bool = True) -> MasterKey:
    """The key in use. `create`: a missing key file is created (32 random bytes, base64, 0600)."""
    secrets = settings.secrets
    if secrets.master_key is not None:
        key = decode_master_key(secrets.master_key)
        if key is None:
            raise MasterKeyError(INVALID_ENV_KEY)
        return MasterKey(key, "env")
    secret_id = aws_secret_id(settings)
    if secret_id:
        from paperclip.secrets.providers.aws import fetch_master_key_text

        key = decode_master_key(fetch_master_key_text(settings, secret_id))
        if key is None:
            raise MasterKeyError(
                f"The AWS secret {secret_id} ({AWS_SETTING}) does not hold a valid master key "
                "(expected 32-byte base64, 64-char hex, or raw 32-char string)"
            )
        return MasterKey(key, f"aws:{secret_id}")
    return MasterKey(read_key_file(secrets.master_key_file, create=create), f"file:{secrets.master_key_file}")


def read_key_file(path: Path, *, create: bool) -> bytes:
    if not path.exists():
        if not create:
            raise MasterKeyError(f"Secrets master key file {path} does not exist ({FILE_SETTING})")
        write_key_file(path, new_key_text())
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not text"
        raise MasterKeyError(
            f"Cannot read secrets master key file {path} ({FILE_SETTING}): {reason}"
        ) from None
    key = decode_master_key(text)
    if key is None:
        raise MasterKeyError(
            f"Secrets master key file {path} ({FILE_SETTING}) does not hold a valid key "
            "(expected 32-byte base64, 64-char hex, or raw 32-char string)"
        )
    repair_mode(path)
    return key


def repair_mode(path: Path) -> None:
    """Group/other bits set → chmod 600, best effort (a read-only mount keeps its mode)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass


def write_key_file(path: Path, text: str) -> None:
    """Atomically: a temporary file of mode 0600 beside it, renamed over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text.strip() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

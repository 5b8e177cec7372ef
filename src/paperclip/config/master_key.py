"""The local_encrypted master key: decoding rules of reference §6.2, shared by doctor and the secrets provider."""

from __future__ import annotations

import base64
import binascii
import re

KEY_BYTES = 32
INVALID_ENV_KEY = (
    "Invalid PAPERCLIP_SECRETS_MASTER_KEY (expected 32-byte base64, 64-char hex, or raw 32-char string)"
)
_HEX_RE = re.compile(r"^[0-9a-fA-F]{64}$")


def decode_master_key(text: str) -> bytes | None:
    """64 hex chars → hex; else base64 of exactly 32 bytes; else exactly 32 UTF-8 bytes; else None."""
    value = text.strip()
    if _HEX_RE.match(value):
        return bytes.fromhex(value)
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) == KEY_BYTES:
        return decoded
    raw = value.encode("utf-8")
    return raw if len(raw) == KEY_BYTES else None

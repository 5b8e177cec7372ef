"""`local_encrypted`: AES-256-GCM under the instance's master key (reference §6.2).

Material `{scheme: "local_encrypted_v1", iv, tag, ciphertext}` (base64; 12-byte IV, 16-byte tag).
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from paperclip.config import Settings
from paperclip.secrets.master_key import fingerprint, load_master_key
from paperclip.secrets.providers.base import PreparedVersion, SecretIdentity, SecretProviderError, sha256_hex

SCHEME = "local_encrypted_v1"
IV_BYTES = 12
TAG_BYTES = 16


class DecryptionError(SecretProviderError):
    pass


def encrypt(key: bytes, value: str) -> dict[str, Any]:
    iv = os.urandom(IV_BYTES)
    sealed = AESGCM(key).encrypt(iv, value.encode("utf-8"), None)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    b64 = base64.b64encode
    return {
        "scheme": SCHEME,
        "iv": b64(iv).decode(),
        "tag": b64(tag).decode(),
        "ciphertext": b64(ciphertext).decode(),
    }


def decrypt(key: bytes, material: dict[str, Any]) -> str:
    failed = DecryptionError(f"Secret decryption failed (master key fingerprint: {fingerprint(key)})")
    if not isinstance(material, dict) or material.get("scheme") != SCHEME:
        raise failed
    try:
        iv, tag, ciphertext = (
            base64.b64decode(material[k], validate=True) for k in ("iv", "tag", "ciphertext")
        )
        return AESGCM(key).decrypt(iv, ciphertext + tag, None).decode("utf-8")
    except (InvalidTag, KeyError, ValueError, TypeError):
        raise failed from None


class LocalEncryptedProvider:
    name = "local_encrypted"

    def __init__(self, settings: Settings):
        self.settings = settings

    def key(self, *, create: bool = True) -> bytes:
        return load_master_key(self.settings, create=create).key

    async def prepare(
        self, identity: SecretIdentity, version: int, *, value: str | None, external_ref: str | None
    ) -> PreparedVersion:
        if value is None:
            raise SecretProviderError("local_encrypted secrets need a value")
        return PreparedVersion(encrypt(self.key(), value), sha256_hex(value), None)

    async def resolve(self, material: dict[str, Any], external_ref: str | None) -> str:
        return decrypt(self.key(create=False), material)

    async def delete(self, identity: SecretIdentity, external_ref: str | None) -> None:
        return None

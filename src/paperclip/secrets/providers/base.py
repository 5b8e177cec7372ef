"""What every secret provider implements.

A provider turns a value (or an external reference) into the `material` stored in a version row,
and material back into the value at run time. Material never holds plaintext.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from paperclip.errors import AppError


class SecretProviderError(AppError):
    """A provider could not store or resolve a value; the message names the setting or secret."""

    status_code = 422


@dataclass(frozen=True)
class SecretIdentity:
    company_id: uuid.UUID
    secret_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class PreparedVersion:
    material: dict[str, Any]
    value_sha256: str
    external_ref: str | None = None


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class SecretProvider(Protocol):
    name: str

    async def prepare(
        self, identity: SecretIdentity, version: int, *, value: str | None, external_ref: str | None
    ) -> PreparedVersion:
        """Material for a new version: `value` to store (managed), or `external_ref` to point at."""
        ...

    async def resolve(self, material: dict[str, Any], external_ref: str | None) -> str:
        """The plaintext of one version."""
        ...

    async def delete(self, identity: SecretIdentity, external_ref: str | None) -> None:
        """Forget what the provider holds for a deleted secret (managed copies only)."""
        ...

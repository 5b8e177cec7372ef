"""Secret request bodies and JSON shapes: metadata only, never a value or material."""

from __future__ import annotations

import re
from typing import Any, Literal

from paperclip.companies.fields import Body, Description, Name, bounded_text
from paperclip.db.models import CompanySecret, CompanySecretVersion
from paperclip.wire import iso, uid

ProviderName = Literal["local_encrypted", "aws_secrets_manager", "gcp_secret_manager", "vault"]
Value = bounded_text(1, 64 * 1024)
ExternalRef = bounded_text(1, 2048)


class SecretCreate(Body):
    name: Name
    provider: ProviderName | None = None
    value: Value | None = None
    description: Description | None = None
    externalRef: ExternalRef | None = None


class SecretRotate(Body):
    value: Value | None = None
    externalRef: ExternalRef | None = None


class SecretPatch(Body):
    name: Name = None  # type: ignore[assignment]
    description: Description | None = None
    externalRef: ExternalRef | None = None


_KEY_RE = re.compile(r"[^a-z0-9_.]+")


def secret_key(name: str) -> str:
    """The secret's key, derived from its name: "My Secret Key!" → "my-secret-key"."""
    return _KEY_RE.sub("-", name.lower()).strip("-")[:120] or "secret"


def managed_mode(s: CompanySecret) -> str:
    return "external_reference" if s.provider != "local_encrypted" and s.external_ref else "paperclip_managed"


def secret_to_wire(s: CompanySecret, reference_count: int | None = None) -> dict[str, Any]:
    out = {
        "id": str(s.id),
        "companyId": str(s.company_id),
        "scope": "company",
        "ownerUserId": None,
        "userSecretDefinitionId": None,
        "key": secret_key(s.name),
        "name": s.name,
        "provider": s.provider,
        "status": "active",
        "managedMode": managed_mode(s),
        "externalRef": s.external_ref,
        "providerConfigId": None,
        "providerMetadata": None,
        "latestVersion": s.latest_version,
        "description": s.description,
        "lastResolvedAt": None,
        "lastRotatedAt": iso(s.last_rotated_at),
        "deletedAt": None,
        "createdByAgentId": uid(s.created_by_agent_id),
        "createdByUserId": s.created_by_user_id,
        "createdAt": iso(s.created_at),
        "updatedAt": iso(s.updated_at),
    }
    if reference_count is not None:
        out["referenceCount"] = reference_count
    return out


def version_to_wire(v: CompanySecretVersion) -> dict[str, Any]:
    scheme = v.material.get("scheme") if isinstance(v.material, dict) else None
    return {
        "id": str(v.id),
        "secretId": str(v.secret_id),
        "version": v.version,
        "scheme": scheme,
        "createdByAgentId": uid(v.created_by_agent_id),
        "createdByUserId": v.created_by_user_id,
        "createdAt": iso(v.created_at),
        "revokedAt": iso(v.revoked_at),
    }

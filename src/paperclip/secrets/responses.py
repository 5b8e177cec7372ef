"""Answers of the secret routes, for the OpenAPI document (paperclip.api.responses): the shapes of
secrets/schemas.py's *_to_wire, providers/registry.providers_to_wire, agent_access.py and the usage
listing. No answer carries a secret's value except POST /agents/me/secrets/{key}/value."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from paperclip.api.responses import Wire


class SecretProvider(Wire):
    id: str
    label: str
    available: bool
    default: bool


class Secret(Wire):
    id: UUID
    companyId: UUID
    scope: str  # "company"
    ownerUserId: None
    userSecretDefinitionId: None
    key: str
    name: str
    provider: str
    status: str
    managedMode: Literal["paperclip_managed", "external_reference"]
    externalRef: str | None
    providerConfigId: None
    providerMetadata: None
    latestVersion: int
    description: str | None
    lastResolvedAt: None
    lastRotatedAt: datetime | None
    deletedAt: None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    createdAt: datetime
    updatedAt: datetime
    referenceCount: int | None = None  # in the company's list: how many bindings name it


class SecretVersion(Wire):
    id: UUID
    secretId: UUID
    version: int
    scheme: str | None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    createdAt: datetime
    revokedAt: datetime | None


class CatalogEntry(Wire):
    id: UUID
    name: str
    key: str
    status: str


class Binding(Wire):
    targetType: str
    targetId: UUID
    targetName: str | None
    envKey: str
    version: int | Literal["latest"]


class SecretUsage(Wire):
    secretId: UUID
    bindings: list[Binding]


class RunSecret(Wire):
    key: str
    name: str
    description: str | None
    delivery: str
    projectionClass: str
    latestVersion: int
    versionSelector: int | Literal["latest"]
    resolvedVersion: int
    secretRef: UUID


class RunSecrets(Wire):
    secrets: list[RunSecret]


class RunSecretValue(Wire):
    key: str
    value: str
    version: int

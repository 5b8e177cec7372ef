"""Answers of the environment routes, for the OpenAPI document (paperclip.api.responses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paperclip.api.responses import Wire


class Environment(Wire):
    id: str
    name: str
    description: str | None
    driver: str
    status: str
    config: dict[str, Any]
    envVars: dict[str, Any]
    metadata: dict[str, Any] | None
    createdAt: datetime | None
    updatedAt: datetime | None


class DeletedEnvironment(Environment):
    destroyedReusableSandboxLeaseCount: int


class AdapterDrivers(Wire):
    adapterType: str
    drivers: dict[str, str]
    sandboxProviders: dict[str, Any]


class EnvironmentCapabilities(Wire):
    adapters: list[AdapterDrivers]
    drivers: dict[str, str]  # driver -> supported / unsupported
    sandboxProviders: dict[str, Any]


class ProbeResult(Wire):
    ok: bool
    driver: str
    summary: str
    details: dict[str, Any]


class StaticReferences(Wire):
    isManagedLocal: bool
    isInstanceDefault: bool
    agentDefaultCount: int
    executionWorkspaceSelectionCount: int
    issueSelectionCount: int
    projectSelectionCount: int
    secretBindingCount: int


class ActiveRuntimeUse(Wire):
    activeLeaseCount: int
    activeCustomImageSetupSessionCount: int
    hasActiveRuntimeUse: bool


class DeleteBlastRadius(Wire):
    environmentId: str
    canDelete: bool
    deleteBlockedReasons: list[str]
    pendingCleanupLeaseCount: int
    reusableSandboxLeaseCount: int
    reusableSandboxLeaseHolders: list[Any]
    staticReferences: StaticReferences
    activeRuntimeUse: ActiveRuntimeUse


class SecretRefs(Wire):
    refs: list[dict[str, Any]]


class EnvironmentLease(Wire):
    id: str
    companyId: str
    environmentId: str
    executionWorkspaceId: str | None
    issueId: str | None
    heartbeatRunId: str | None
    status: str  # active, released, failed
    leasePolicy: str
    provider: str
    providerLeaseId: str | None
    acquiredAt: datetime | None
    lastUsedAt: datetime | None
    expiresAt: datetime | None
    releasedAt: datetime | None
    failureReason: str | None
    cleanupStatus: str | None
    metadata: dict[str, Any]
    createdAt: datetime | None
    updatedAt: datetime | None

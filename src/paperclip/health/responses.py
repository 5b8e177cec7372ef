"""GET /api/health's answer, for the OpenAPI document (paperclip.api.responses)."""

from __future__ import annotations

from paperclip.api.responses import Wire


class Features(Wire):
    companyDeletionEnabled: bool


class Deployment(Wire):
    mode: str
    exposure: str
    authReady: bool


class Health(Wire):
    """An anonymous caller of an authenticated instance gets the reduced answer: no version,
    authReady or features."""

    status: str
    version: str | None = None
    deploymentMode: str
    deploymentExposure: str
    authReady: bool | None = None
    bootstrapStatus: str
    bootstrapInviteActive: bool
    features: Features | None = None
    deployment: Deployment


class Unhealthy(Wire):
    status: str  # "unhealthy"
    version: str
    error: str  # "database_unreachable"

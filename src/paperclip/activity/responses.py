"""Answers of the activity routes, for the OpenAPI document (paperclip.api.responses): the shape of
activity/service.to_wire (also in the dashboard and an issue's activity) and the audit listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from paperclip.api.responses import Wire


class ActivityEntry(Wire):
    id: UUID
    companyId: UUID
    actorType: str
    actorId: str
    action: str
    entityType: str
    entityId: str
    agentId: UUID | None
    runId: UUID | None
    details: dict[str, Any] | None
    createdAt: datetime


class IssueRef(Wire):
    id: UUID
    identifier: str | None
    title: str


class AuditEntity(Wire):
    issue: IssueRef | None
    comment: None
    document: None


class AuditEntry(Wire):
    id: UUID
    companyId: UUID
    actorType: str
    actorId: str
    action: str
    entityType: str
    entityId: str
    agentId: UUID | None
    runId: UUID | None
    responsibleUserId: str | None
    createdAt: datetime
    details: dict[str, Any] | None
    entity: AuditEntity


class AuditPage(Wire):
    items: list[AuditEntry]
    accessTier: str
    nextCursor: str | None = None  # present when there is a next page

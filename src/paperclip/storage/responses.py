"""Answers of the storage routes, for the OpenAPI document (paperclip.api.responses): the shapes of
storage/service.asset_to_wire and attachment_to_wire; file contents are served in their stored type."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from paperclip.api.responses import Wire


class StoredAsset(Wire):
    assetId: UUID
    companyId: UUID
    provider: str
    objectKey: str
    contentType: str
    byteSize: int
    sha256: str
    originalFilename: str | None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    createdAt: datetime
    updatedAt: datetime
    contentPath: str


class Attachment(Wire):
    id: UUID
    companyId: UUID
    issueId: UUID
    issueCommentId: UUID | None
    originatingRunId: UUID | None
    assetId: UUID
    provider: str
    objectKey: str
    contentType: str
    byteSize: int
    sha256: str
    originalFilename: str | None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    createdAt: datetime
    updatedAt: datetime
    contentPath: str
    openPath: str
    downloadPath: str

"""Answers of the approval routes, for the OpenAPI document (paperclip.api.responses): the shapes of
approvals/schemas.py's *_to_wire (agents' hire answer uses approval_to_wire too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.vocabulary import ApprovalStatus


class Approval(Wire):
    id: UUID
    companyId: UUID
    type: str
    requestedByAgentId: UUID | None
    requestedByUserId: str | None
    status: ApprovalStatus
    payload: dict[str, Any]
    decisionNote: str | None
    decidedByUserId: str | None
    decidedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class ApprovalComment(Wire):
    id: UUID
    companyId: UUID
    approvalId: UUID
    authorAgentId: UUID | None
    authorUserId: str | None
    body: str
    createdAt: datetime
    updatedAt: datetime


class LinkedIssue(Wire):
    id: UUID
    companyId: UUID
    projectId: UUID | None
    goalId: UUID | None
    parentId: UUID | None
    title: str
    description: str | None
    status: str
    priority: str
    assigneeAgentId: UUID | None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    issueNumber: int | None
    identifier: str | None
    requestDepth: int
    billingCode: str | None
    startedAt: datetime | None
    completedAt: datetime | None
    cancelledAt: datetime | None
    createdAt: datetime
    updatedAt: datetime

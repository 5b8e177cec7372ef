"""Request bodies of the issue routes: bounded strings, enums, UUIDs; unknown fields are ignored."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from paperclip.vocabulary import ISSUE_STATUSES, IssueStatus

PRIORITIES = ("critical", "high", "medium", "low")

Status = IssueStatus
Priority = Literal["critical", "high", "medium", "low"]

MAX_TITLE = 500
MAX_TEXT = 1_000_000  # description and comment bodies: ~1 MB of markdown
MAX_IDS = 200

Title = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TITLE)]
LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
UserId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
IdList = Annotated[list[uuid.UUID], Field(max_length=MAX_IDS)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class IssueCreate(_Body):
    title: Title
    description: LongText | None = None
    status: Status | None = None
    priority: Priority | None = None
    assigneeAgentId: uuid.UUID | None = None
    assigneeUserId: UserId | None = None
    parentId: uuid.UUID | None = None
    projectId: uuid.UUID | None = None
    goalId: uuid.UUID | None = None
    labelIds: IdList | None = None
    blockedByIssueIds: IdList | None = None
    billingCode: ShortText | None = None
    requestDepth: Annotated[int, Field(ge=0, le=1024)] | None = None


class IssueUpdate(_Body):
    title: Title | None = None
    description: LongText | None = None
    status: Status | None = None
    priority: Priority | None = None
    assigneeAgentId: uuid.UUID | None = None
    assigneeUserId: UserId | None = None
    parentId: uuid.UUID | None = None
    projectId: uuid.UUID | None = None
    goalId: uuid.UUID | None = None
    labelIds: IdList | None = None
    blockedByIssueIds: IdList | None = None
    billingCode: ShortText | None = None
    requestDepth: Annotated[int, Field(ge=0, le=1024)] | None = None
    comment: Body | None = None
    reopen: bool | None = None


class CheckoutBody(_Body):
    agentId: uuid.UUID
    expectedStatuses: Annotated[list[Status], Field(min_length=1, max_length=len(ISSUE_STATUSES) * 2)]


class CommentCreate(_Body):
    body: Body
    reopen: bool | None = None


class LabelCreate(_Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=48)]
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]

"""Answers of the project routes, for the OpenAPI document (paperclip.api.responses): the shape of
projects/schemas.project_to_wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.vocabulary import PauseReason, ProjectStatus


class GoalLink(Wire):
    id: UUID
    title: str


class Project(Wire):
    id: UUID
    companyId: UUID
    goalId: UUID | None
    name: str
    description: str | None
    status: ProjectStatus
    leadAgentId: UUID | None
    targetDate: date | None
    color: str | None
    icon: str | None
    env: dict[str, Any] | None  # values redacted
    pauseReason: PauseReason | None
    pausedAt: datetime | None
    archivedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime
    goalIds: list[UUID]
    goals: list[GoalLink]
    urlKey: str
    workspaces: list[Any]  # always empty: no execution workspaces
    primaryWorkspace: None

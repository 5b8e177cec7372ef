"""Answers of the goal routes, for the OpenAPI document (paperclip.api.responses): the shape of
goals/schemas.goal_to_wire."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.vocabulary import GoalStatus


class Goal(Wire):
    id: UUID
    companyId: UUID
    title: str
    description: str | None
    level: str
    status: GoalStatus
    parentId: UUID | None
    ownerAgentId: UUID | None
    createdAt: datetime
    updatedAt: datetime

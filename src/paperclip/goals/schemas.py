"""Goal request bodies and JSON shape."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from paperclip.companies.fields import Body, Description, Title
from paperclip.db.models import Goal
from paperclip.vocabulary import GoalStatus
from paperclip.wire import iso, uid

GoalLevel = Literal["company", "team", "agent", "task"]


class GoalCreate(Body):
    title: Title
    description: Description | None = None
    level: GoalLevel = "task"
    status: GoalStatus = "planned"
    parentId: uuid.UUID | None = None
    ownerAgentId: uuid.UUID | None = None


class GoalPatch(Body):
    title: Title = None  # type: ignore[assignment]
    description: Description | None = None
    level: GoalLevel = None  # type: ignore[assignment]
    status: GoalStatus = None  # type: ignore[assignment]
    parentId: uuid.UUID | None = None
    ownerAgentId: uuid.UUID | None = None


def goal_to_wire(g: Goal) -> dict[str, Any]:
    return {
        "id": str(g.id),
        "companyId": str(g.company_id),
        "title": g.title,
        "description": g.description,
        "level": g.level,
        "status": g.status,
        "parentId": uid(g.parent_id),
        "ownerAgentId": uid(g.owner_agent_id),
        "createdAt": iso(g.created_at),
        "updatedAt": iso(g.updated_at),
    }

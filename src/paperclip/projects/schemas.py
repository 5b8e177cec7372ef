"""Project request bodies and JSON shape."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import Field

from paperclip.companies.fields import Body, Color, Description, JsonObject, Name, bounded_text
from paperclip.db.models import Project
from paperclip.redaction import redact_adapter_config
from paperclip.vocabulary import ProjectStatus
from paperclip.wire import iso, uid

Icon = bounded_text(0, 64)
GoalIds = Annotated[list[uuid.UUID], Field(max_length=100)]


class ProjectCreate(Body):
    name: Name
    description: Description | None = None
    status: ProjectStatus = "backlog"
    leadAgentId: uuid.UUID | None = None
    targetDate: dt.date | None = None
    color: Color | None = None
    icon: Icon | None = None
    goalId: uuid.UUID | None = None
    goalIds: GoalIds | None = None
    env: JsonObject | None = None


class ProjectPatch(Body):
    name: Name = None  # type: ignore[assignment]
    description: Description | None = None
    status: ProjectStatus = None  # type: ignore[assignment]
    leadAgentId: uuid.UUID | None = None
    targetDate: dt.date | None = None
    color: Color | None = None
    icon: Icon | None = None
    goalId: uuid.UUID | None = None
    goalIds: GoalIds = None  # type: ignore[assignment]
    env: JsonObject | None = None
    archivedAt: dt.datetime | None = None


def project_to_wire(p: Project, goals: list[tuple[uuid.UUID, str]]) -> dict[str, Any]:
    """`goals` are the linked (id, title) pairs."""
    return {
        "id": str(p.id),
        "companyId": str(p.company_id),
        "goalId": uid(p.goal_id),
        "name": p.name,
        "description": p.description,
        "status": p.status,
        "leadAgentId": uid(p.lead_agent_id),
        "targetDate": iso(p.target_date),
        "color": p.color,
        "icon": p.icon,
        "env": _redacted_env(p.env),
        "pauseReason": p.pause_reason,
        "pausedAt": iso(p.paused_at),
        "archivedAt": iso(p.archived_at),
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.updated_at),
        "goalIds": [str(g) for g, _ in goals],
        "goals": [{"id": str(g), "title": t} for g, t in goals],
        "urlKey": p.url_key,
        "workspaces": [],
        "primaryWorkspace": None,
    }


def _redacted_env(env: dict[str, Any] | None) -> dict[str, Any] | None:
    if env is None:
        return None
    return redact_adapter_config({"env": env}).get("env")

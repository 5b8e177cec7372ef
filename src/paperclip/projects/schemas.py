"""Project request bodies and JSON shape."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field

from paperclip.companies.fields import Body, Color, Description, JsonObject, Name, bounded_text
from paperclip.db.models import Project
from paperclip.projects.wire import PROJECT
from paperclip.redaction import redact_adapter_config
from paperclip.vocabulary import ProjectStatus

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


def redacted_env(env: dict[str, Any] | None) -> dict[str, Any] | None:
    if env is None:
        return None
    return redact_adapter_config({"env": env}).get("env")


# A project's wire object (an ORM Project, and its linked goals as (id, title) pairs): made from the field
# table of wire.py, as the issue detail's SQL.
project_to_wire: Callable[[Project, list[tuple[uuid.UUID, str]]], dict[str, Any]] = PROJECT.python(
    "row, goals", attrs=True, namespace={"redacted_env": redacted_env}
)

"""Goal request bodies and JSON shape."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Literal

from paperclip.companies.fields import Body, Description, Title
from paperclip.db.models import Goal
from paperclip.goals.wire import GOAL
from paperclip.vocabulary import GoalStatus

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


# A goal's wire object (an ORM Goal): made from the field table of wire.py, as the issue detail's SQL.
goal_to_wire: Callable[[Goal], dict[str, Any]] = GOAL.python(attrs=True)

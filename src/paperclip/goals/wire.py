"""The goal's wire shape, declared once (paperclip.wireshape): `schemas.goal_to_wire` (the goal routes)
and the goal embedded in the issue detail (issues/queries.py, SQL) are made from it;
tests/goals/test_goal_wire_shape.py renders the same rows both ways."""

from __future__ import annotations

from paperclip.wireshape import Field, Shape

GOAL = Shape(
    "goal",
    Field("id", "id", "uuid"),
    Field("companyId", "company_id", "uuid"),
    Field("title", "title", "text"),
    Field("description", "description", "text"),
    Field("level", "level", "text"),
    Field("status", "status", "text"),
    Field("parentId", "parent_id", "uuid?"),
    Field("ownerAgentId", "owner_agent_id", "uuid?"),
    Field("createdAt", "created_at", "timestamp"),
    Field("updatedAt", "updated_at", "timestamp"),
)

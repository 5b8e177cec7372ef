"""The activity entry's wire shape, declared once (paperclip.wireshape): `service.to_wire` (the activity
list, an issue's activity, the board UI) and the dashboard's recentActivity (SQL) are made from it;
tests/activity/test_activity_wire_shape.py renders the same rows both ways."""

from __future__ import annotations

from paperclip.wireshape import Field, Shape

ACTIVITY_ENTRY = Shape(
    "activity",
    Field("id", "id", "uuid"),
    Field("companyId", "company_id", "uuid"),
    Field("actorType", "actor_type", "text"),
    Field("actorId", "actor_id", "text"),
    Field("action", "action", "text"),
    Field("entityType", "entity_type", "text"),
    Field("entityId", "entity_id", "text"),
    Field("agentId", "agent_id", "uuid?"),
    Field("runId", "run_id", "uuid?"),
    Field("details", "details", "json"),
    Field("createdAt", "created_at", "timestamp"),
)

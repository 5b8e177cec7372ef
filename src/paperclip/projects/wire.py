"""The project's wire shape, declared once (paperclip.wireshape): `schemas.project_to_wire` (the project
routes) and the project embedded in the issue detail (issues/queries.py: `DETAIL_PROJECT`, SQL) are made
from it; tests/projects/test_project_wire_shape.py renders the same rows both ways.

`env` is redacted in Python (paperclip.redaction); its SQL is the stored column, so SQL users leave it
out (the detail's project does, as the original's). goalIds / goals are the renderer's `goals` argument
((id, title) pairs) in Python and subqueries on project_goals in SQL."""

from __future__ import annotations

from paperclip.wireshape import Field, Shape

_GOAL_LINKS = "FROM project_goals pg JOIN goals lg ON lg.id = pg.goal_id WHERE pg.project_id = {a}.id"
_GOAL_ORDER = "ORDER BY pg.created_at, lg.title, lg.id"

PROJECT = Shape(
    "project",
    Field("id", "id", "uuid"),
    Field("companyId", "company_id", "uuid"),
    Field("goalId", "goal_id", "uuid?"),
    Field("name", "name", "text"),
    Field("description", "description", "text"),
    Field("status", "status", "text"),
    Field("leadAgentId", "lead_agent_id", "uuid?"),
    Field("targetDate", "target_date", "date"),
    Field("color", "color", "text"),
    Field("icon", "icon", "text"),
    Field("env", "env", "json", py="redacted_env(row.env)"),
    Field("pauseReason", "pause_reason", "text"),
    Field("pausedAt", "paused_at", "timestamp"),
    Field("archivedAt", "archived_at", "timestamp"),
    Field("createdAt", "created_at", "timestamp"),
    Field("updatedAt", "updated_at", "timestamp"),
    Field(
        "goalIds",
        None,
        "json",
        py="[str(g) for g, _ in goals]",
        sql=f"(SELECT COALESCE(json_agg(lg.id {_GOAL_ORDER}), '[]'::json) {_GOAL_LINKS})",
    ),
    Field(
        "goals",
        None,
        "json",
        py='[{"id": str(g), "title": t} for g, t in goals]',
        sql=f"(SELECT COALESCE(json_agg(json_build_object('id', lg.id, 'title', lg.title) {_GOAL_ORDER}), '[]'::json) {_GOAL_LINKS})",
    ),
    Field("urlKey", "url_key", "text"),
    Field("workspaces", None, "json", py="[]", sql="'[]'::json"),
    Field("primaryWorkspace", None, "json", py="None", sql="NULL"),
)

# The project embedded in the issue detail: the shape without env, icon, pauseReason and the goal links.
DETAIL_PROJECT = PROJECT.without("icon", "env", "pauseReason", "goalIds", "goals")

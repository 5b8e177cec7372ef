"""The hot path of issue creation: ONE statement numbers, inserts and logs the issue.

`UPDATE companies SET issue_counter = issue_counter + 1 ... RETURNING` takes the company row lock,
so concurrent creators are serialised and every number is unique; the INSERT and the activity row
(the same row `activity.service.record` writes, details redacted the same way) ride in the same
statement as data-modifying CTEs, which PostgreSQL always runs to completion.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.rawsql import Sql
from paperclip.errors import NotFound
from paperclip.redaction import redact

CREATE_SQL = Sql("""
WITH counter AS (
    UPDATE companies SET issue_counter = issue_counter + 1
    WHERE id = CAST(:company_id AS uuid)
    RETURNING issue_counter, issue_prefix,
        (SELECT g.id FROM goals g
         WHERE g.company_id = CAST(:company_id AS uuid) AND g.level = 'company' AND g.parent_id IS NULL
         ORDER BY g.created_at, g.id LIMIT 1) AS default_goal
), ins AS (
    INSERT INTO issues (company_id, project_id, goal_id, parent_id, title, description, status, priority,
                        assignee_agent_id, assignee_user_id, created_by_agent_id, created_by_user_id,
                        issue_number, identifier, billing_code, request_depth,
                        started_at, completed_at, cancelled_at, created_at, updated_at,
                        origin_kind, origin_id, origin_run_id, origin_fingerprint)
    SELECT CAST(:company_id AS uuid), CAST(:project_id AS uuid),
           COALESCE(CAST(:goal_id AS uuid), counter.default_goal), CAST(:parent_id AS uuid),
           CAST(:title AS text), CAST(:description AS text), CAST(:status AS text), CAST(:priority AS text),
           CAST(:assignee_agent_id AS uuid), CAST(:assignee_user_id AS text),
           CAST(:created_by_agent_id AS uuid), CAST(:created_by_user_id AS text),
           counter.issue_counter, counter.issue_prefix || '-' || counter.issue_counter,
           CAST(:billing_code AS text), CAST(:request_depth AS integer),
           CAST(:started_at AS timestamptz), CAST(:completed_at AS timestamptz), CAST(:cancelled_at AS timestamptz),
           CAST(:now AS timestamptz), CAST(:now AS timestamptz),
           CAST(:origin_kind AS text), CAST(:origin_id AS text), CAST(:origin_run_id AS uuid),
           CAST(:origin_fingerprint AS text)
    FROM counter
    RETURNING *
), activity AS (
    INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id,
                              details, created_at)
    SELECT ins.company_id, CAST(:actor_type AS text), CAST(:actor_id AS text), 'issue.created', 'issue',
           CAST(ins.id AS text), CAST(:actor_agent_id AS uuid), CAST(:actor_run_id AS uuid),
           jsonb_build_object('title', CAST(:activity_title AS text), 'status', ins.status,
                              'identifier', ins.identifier),
           clock_timestamp()
    FROM ins
)
SELECT * FROM ins
""")


async def insert_issue(
    session: AsyncSession, actor: Actor, values: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """`values`: the issue's columns (company_id, title, status, ...); returns the inserted row."""
    params = {
        "project_id": None,
        "goal_id": None,
        "parent_id": None,
        "description": None,
        "assignee_agent_id": None,
        "assignee_user_id": None,
        "billing_code": None,
        "request_depth": 0,
        "started_at": None,
        "completed_at": None,
        "cancelled_at": None,
        "origin_kind": "manual",
        "origin_id": None,
        "origin_run_id": None,
        "origin_fingerprint": "default",
        **values,
        "created_by_agent_id": actor.agent_id,
        "created_by_user_id": actor.user_id if actor.is_board else None,
        "now": now,
        "actor_type": actor.activity_type,
        "actor_id": actor.activity_id,
        "actor_agent_id": actor.agent_id,
        "actor_run_id": actor.run_id,
        "activity_title": redact(values["title"]),
    }
    row = await CREATE_SQL.fetchrow(session, **params)
    if row is None:
        raise NotFound("Company not found")
    return row

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
from paperclip.errors import NotFound
from paperclip.issues import queries
from paperclip.redaction import redact


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
    row = await queries.CREATE_ISSUE.fetchrow(session, **params)
    if row is None:
        raise NotFound("Company not found")
    return row

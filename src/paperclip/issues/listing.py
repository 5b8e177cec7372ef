"""Issue lists rendered by PostgreSQL: one statement returns the page as a JSON text (issue fields in
the wire's names and order, labels included), which the route sends as is — no per-row Python."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession


def ts(column: str) -> str:
    """ISO-8601 UTC with milliseconds, like `paperclip.wire.iso`."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


LABEL_JSON = (f"json_build_object('id', l.id, 'companyId', l.company_id, 'name', l.name, 'color', l.color, "
              f"'createdAt', {ts('l.created_at')}, 'updatedAt', {ts('l.updated_at')})")


def issue_json(a: str) -> str:
    """SQL building one issue's wire object from the row alias `a` (same fields as shapes.issue_to_wire)."""
    return f"""json_build_object(
  'id', {a}.id, 'companyId', {a}.company_id, 'projectId', {a}.project_id, 'goalId', {a}.goal_id,
  'parentId', {a}.parent_id, 'title', {a}.title, 'description', {a}.description, 'status', {a}.status,
  'priority', {a}.priority, 'assigneeAgentId', {a}.assignee_agent_id, 'assigneeUserId', {a}.assignee_user_id,
  'checkoutRunId', {a}.checkout_run_id, 'executionRunId', {a}.execution_run_id,
  'executionAgentNameKey', {a}.execution_agent_name_key, 'executionLockedAt', {ts(a + '.execution_locked_at')},
  'createdByAgentId', {a}.created_by_agent_id, 'createdByUserId', {a}.created_by_user_id,
  'issueNumber', {a}.issue_number, 'identifier', {a}.identifier, 'originKind', {a}.origin_kind,
  'originId', {a}.origin_id, 'originRunId', {a}.origin_run_id, 'requestDepth', {a}.request_depth,
  'billingCode', {a}.billing_code, 'startedAt', {ts(a + '.started_at')}, 'completedAt', {ts(a + '.completed_at')},
  'cancelledAt', {ts(a + '.cancelled_at')}, 'hiddenAt', {ts(a + '.hidden_at')},
  'createdAt', {ts(a + '.created_at')}, 'updatedAt', {ts(a + '.updated_at')},
  'labels', (SELECT COALESCE(json_agg({LABEL_JSON} ORDER BY l.name, l.id), '[]'::json)
             FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = {a}.id),
  'labelIds', (SELECT COALESCE(json_agg(l.id ORDER BY l.name, l.id), '[]'::json)
               FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = {a}.id))"""


PAGE_JSON = sa.literal_column(f"COALESCE(json_agg({issue_json('i')} ORDER BY i.rn), '[]'::json)::text")


async def page_as_json(session: AsyncSession, columns: Any, where: list[Any], order_by: list[Any], limit: int,
                       offset: int) -> str:
    inner = (sa.select(columns, sa.func.row_number().over(order_by=order_by).label("rn"))
             .where(*where).order_by(*order_by).limit(limit).offset(offset).subquery("i"))
    return await session.scalar(sa.select(PAGE_JSON).select_from(inner))

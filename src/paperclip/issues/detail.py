"""The detail view of one issue (GET /issues/{id}, PATCH responses): the row, its labels, blockers,
project and goal in ONE statement (JSON built by PostgreSQL); ancestors only when there is a parent."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.rawsql import Sql
from paperclip.errors import NotFound
from paperclip.issues.documents import issue_documents_sql
from paperclip.issues.identifiers import IDENTIFIER_RE, parse_uuid
from paperclip.issues.listing import issue_json, ts
from paperclip.issues.shapes import issue_to_wire


def _summary(alias: str) -> str:
    return (
        f"json_build_object('id', {alias}.id, 'identifier', {alias}.identifier, 'title', {alias}.title, "
        f"'status', {alias}.status, 'priority', {alias}.priority, 'assigneeAgentId', {alias}.assignee_agent_id, "
        f"'assigneeUserId', {alias}.assignee_user_id)"
    )


_PLAN_DOCUMENT, _DOCUMENT_SUMMARIES = issue_documents_sql("i.id")
DETAIL_SELECT = f"""
SELECT i.*,
  (SELECT COALESCE(json_agg(json_build_object('id', l.id, 'companyId', l.company_id, 'name', l.name, 'color', l.color,
                                              'createdAt', {ts("l.created_at")}, 'updatedAt', {ts("l.updated_at")})
                            ORDER BY l.name, l.id), '[]'::json)
     FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = i.id) AS labels_json,
  (SELECT COALESCE(json_agg({_summary("b")} ORDER BY r.created_at, b.id), '[]'::json)
     FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id
     WHERE r.issue_id = i.id AND r.type = 'blocks') AS blocked_by_json,
  (SELECT COALESCE(json_agg({_summary("b")} ORDER BY r.created_at, b.id), '[]'::json)
     FROM issue_relations r JOIN issues b ON b.id = r.issue_id
     WHERE r.related_issue_id = i.id AND r.type = 'blocks') AS blocks_json,
  (SELECT json_build_object('id', p.id, 'companyId', p.company_id, 'goalId', p.goal_id, 'name', p.name,
                            'description', p.description, 'status', p.status, 'leadAgentId', p.lead_agent_id,
                            'targetDate', p.target_date, 'color', p.color, 'pausedAt', {ts("p.paused_at")},
                            'archivedAt', {ts("p.archived_at")}, 'createdAt', {ts("p.created_at")},
                            'updatedAt', {ts("p.updated_at")}, 'urlKey', p.url_key,
                            'workspaces', '[]'::json, 'primaryWorkspace', NULL)
     FROM projects p WHERE p.id = i.project_id) AS project_json,
  {_PLAN_DOCUMENT} AS plan_document_json,
  {_DOCUMENT_SUMMARIES} AS document_summaries_json,
  (SELECT json_build_object('id', g.id, 'companyId', g.company_id, 'title', g.title, 'description', g.description,
                            'level', g.level, 'status', g.status, 'parentId', g.parent_id,
                            'ownerAgentId', g.owner_agent_id, 'createdAt', {ts("g.created_at")},
                            'updatedAt', {ts("g.updated_at")})
     FROM goals g WHERE g.id = i.goal_id) AS goal_json
FROM issues i
"""
BY_ID = sa.text(DETAIL_SELECT + " WHERE i.id = :id")
BY_IDENTIFIER = sa.text(DETAIL_SELECT + " WHERE i.identifier = :identifier")

ANCESTORS = sa.text("""
WITH RECURSIVE chain AS (
    SELECT id, parent_id, 1 AS depth FROM issues WHERE id = :parent_id
    UNION ALL
    SELECT i.id, i.parent_id, chain.depth + 1 FROM issues i JOIN chain ON i.id = chain.parent_id
    WHERE chain.depth < 64
)
SELECT json_build_object(
    'id', i.id, 'identifier', i.identifier, 'title', i.title, 'description', i.description, 'status', i.status,
    'priority', i.priority, 'assigneeAgentId', i.assignee_agent_id, 'projectId', i.project_id, 'goalId', i.goal_id,
    'project', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('id', p.id, 'name', p.name, 'status', p.status) END,
    'goal', CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('id', g.id, 'title', g.title,
        'description', g.description, 'level', g.level, 'status', g.status) END) AS ancestor
FROM chain JOIN issues i ON i.id = chain.id
LEFT JOIN projects p ON p.id = i.project_id LEFT JOIN goals g ON g.id = i.goal_id
ORDER BY chain.depth
""")


# The whole detail view as one JSON text (fields in detail_to_wire's order): GET /issues/{id} sends it
# as is — no row decoding or per-field Python. Ancestors come from the same statement (a recursive
# subquery that runs only when there is a parent).
_ANCESTORS_JSON = """(WITH RECURSIVE chain AS (
    SELECT a.id, a.parent_id, 1 AS depth FROM issues a WHERE a.id = i.parent_id
    UNION ALL
    SELECT a.id, a.parent_id, chain.depth + 1 FROM issues a JOIN chain ON a.id = chain.parent_id WHERE chain.depth < 64
)
SELECT COALESCE(json_agg(json_build_object(
    'id', a.id, 'identifier', a.identifier, 'title', a.title, 'description', a.description, 'status', a.status,
    'priority', a.priority, 'assigneeAgentId', a.assignee_agent_id, 'projectId', a.project_id, 'goalId', a.goal_id,
    'project', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('id', p.id, 'name', p.name, 'status', p.status) END,
    'goal', CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('id', g.id, 'title', g.title,
        'description', g.description, 'level', g.level, 'status', g.status) END) ORDER BY chain.depth), '[]'::json)
FROM chain JOIN issues a ON a.id = chain.id
LEFT JOIN projects p ON p.id = a.project_id LEFT JOIN goals g ON g.id = a.goal_id)"""
_IDS_OF = "(SELECT COALESCE(json_agg(e->'id'), '[]'::json) FROM json_array_elements({}) e)"
DETAIL_JSON = f"""
SELECT d.company_id, CAST({
    issue_json(
        "d",
        "d.labels_json",
        "(SELECT COALESCE(json_agg(e->'id'), '[]'::json) FROM json_array_elements(d.labels_json) e)",
    )[:-1]
},
    'blockedBy', d.blocked_by_json, 'blockedByIssueIds', {_IDS_OF.format("d.blocked_by_json")},
    'blocks', d.blocks_json,
    'ancestors', CASE WHEN d.parent_id IS NULL THEN '[]'::json ELSE d.ancestors_json END,
    'project', d.project_json, 'goal', d.goal_json,
    'planDocument', d.plan_document_json, 'documentSummaries', d.document_summaries_json) AS text) AS wire
FROM (SELECT q.*, CASE WHEN q.parent_id IS NULL THEN NULL ELSE {
    _ANCESTORS_JSON.replace("i.parent_id", "q.parent_id")
}
                  END AS ancestors_json
      FROM ({DETAIL_SELECT} {{where}}) q) d
"""
DETAIL_JSON_BY_ID = Sql(DETAIL_JSON.format(where="WHERE i.id = :id"))
DETAIL_JSON_BY_IDENTIFIER = Sql(DETAIL_JSON.format(where="WHERE i.identifier = :identifier"))


def _detail_query(ref: str | uuid.UUID, by_id: Any, by_identifier: Any) -> tuple[Any, dict]:
    if isinstance(ref, uuid.UUID):
        return by_id, {"id": ref}
    parsed = parse_uuid(ref)
    if parsed is not None:
        return by_id, {"id": parsed}
    if IDENTIFIER_RE.match(ref):
        return by_identifier, {"identifier": ref.upper()}
    raise NotFound("Issue not found")


async def load_detail_json(session: AsyncSession, ref: str | uuid.UUID) -> tuple[uuid.UUID, str]:
    """(company id, the detail view as JSON text)."""
    query, params = _detail_query(ref, DETAIL_JSON_BY_ID, DETAIL_JSON_BY_IDENTIFIER)
    row = await query.fetchrow(session, **params)
    if row is None:
        raise NotFound("Issue not found")
    return row["company_id"], row["wire"]


async def load_detail(session: AsyncSession, ref: str | uuid.UUID) -> RowMapping:
    query, params = _detail_query(ref, BY_ID, BY_IDENTIFIER)
    row = (await session.execute(query, params)).mappings().first()
    if row is None:
        raise NotFound("Issue not found")
    return row


async def detail_to_wire(session: AsyncSession, row: RowMapping) -> dict[str, Any]:
    wire = issue_to_wire(row, row["labels_json"])
    blocked_by = row["blocked_by_json"]
    wire["blockedBy"] = blocked_by
    wire["blockedByIssueIds"] = [b["id"] for b in blocked_by]
    wire["blocks"] = row["blocks_json"]
    wire["ancestors"] = []
    if row["parent_id"] is not None:
        wire["ancestors"] = list(await session.scalars(ANCESTORS, {"parent_id": row["parent_id"]}))
    wire["project"] = row["project_json"]
    wire["goal"] = row["goal_json"]
    wire["planDocument"] = row["plan_document_json"]
    wire["documentSummaries"] = row["document_summaries_json"]
    return wire

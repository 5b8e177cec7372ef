"""The detail view of one issue (GET /issues/{id}, PATCH responses): the row, its labels, blockers,
project and goal in ONE statement (JSON built by PostgreSQL); ancestors only when there is a parent."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.errors import NotFound
from paperclip.issues import queries
from paperclip.issues.identifiers import IDENTIFIER_RE, parse_uuid
from paperclip.issues.shapes import issue_to_wire


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
    query, params = _detail_query(ref, queries.DETAIL_JSON_BY_ID, queries.DETAIL_JSON_BY_IDENTIFIER)
    row = await query.fetchrow(session, **params)
    if row is None:
        raise NotFound("Issue not found")
    return row["company_id"], row["wire"]


async def load_detail(session: AsyncSession, ref: str | uuid.UUID) -> dict[str, Any]:
    """The issue row with its detail parts as JSON (labels_json, blocked_by_json, blocks_json,
    project_json, goal_json, plan_document_json, document_summaries_json)."""
    query, params = _detail_query(ref, queries.DETAIL_BY_ID, queries.DETAIL_BY_IDENTIFIER)
    row = await query.fetchrow(session, **params)
    if row is None:
        raise NotFound("Issue not found")
    return row


async def detail_to_wire(session: AsyncSession, row: Mapping[str, Any]) -> dict[str, Any]:
    wire = issue_to_wire(row, row["labels_json"])
    blocked_by = row["blocked_by_json"]
    wire["blockedBy"] = blocked_by
    wire["blockedByIssueIds"] = [b["id"] for b in blocked_by]
    wire["blocks"] = row["blocks_json"]
    wire["ancestors"] = []
    if row["parent_id"] is not None:
        wire["ancestors"] = [
            r["ancestor"] for r in await queries.ANCESTORS.fetch(session, parent_id=row["parent_id"])
        ]
    wire["project"] = row["project_json"]
    wire["goal"] = row["goal_json"]
    wire["planDocument"] = row["plan_document_json"]
    wire["documentSummaries"] = row["document_summaries_json"]
    wire["executionBlocker"] = row["execution_blocker_json"]
    wire["activeRecoveryAction"] = row["active_recovery_action_json"]
    return wire

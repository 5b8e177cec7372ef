"""Issue, comment and label JSON in the original's field names and order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import to_json
from starlette.responses import Response

from paperclip.wire import iso, uid


def json_response(content: Any, status_code: int = 200) -> Response:
    """Serialise once, in Rust (pydantic-core), instead of FastAPI's generic encoder: lists of 1000
    issues are the common case."""
    return Response(to_json(content), status_code=status_code, media_type="application/json")


def issue_to_wire(row: Mapping[str, Any], labels: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    labels = labels or []
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "projectId": uid(row["project_id"]),
        "goalId": uid(row["goal_id"]),
        "parentId": uid(row["parent_id"]),
        "title": row["title"],
        "description": row["description"],
        "status": row["status"],
        "priority": row["priority"],
        "assigneeAgentId": uid(row["assignee_agent_id"]),
        "assigneeUserId": row["assignee_user_id"],
        "checkoutRunId": uid(row["checkout_run_id"]),
        "executionRunId": uid(row["execution_run_id"]),
        "executionAgentNameKey": row["execution_agent_name_key"],
        "executionLockedAt": iso(row["execution_locked_at"]),
        "createdByAgentId": uid(row["created_by_agent_id"]),
        "createdByUserId": row["created_by_user_id"],
        "issueNumber": row["issue_number"],
        "identifier": row["identifier"],
        "originKind": row["origin_kind"],
        "originId": row["origin_id"],
        "originRunId": uid(row["origin_run_id"]),
        "requestDepth": row["request_depth"],
        "billingCode": row["billing_code"],
        "startedAt": iso(row["started_at"]),
        "completedAt": iso(row["completed_at"]),
        "cancelledAt": iso(row["cancelled_at"]),
        "hiddenAt": iso(row["hidden_at"]),
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
        "labels": labels,
        "labelIds": [label["id"] for label in labels],
    }


def label_to_wire(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "name": row["name"],
        "color": row["color"],
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


def comment_to_wire(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "issueId": str(row["issue_id"]),
        "authorAgentId": uid(row["author_agent_id"]),
        "authorUserId": row["author_user_id"],
        "authorType": "agent" if row["author_agent_id"] else "user",
        "createdByRunId": uid(row["created_by_run_id"]),
        "body": row["body"],
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }

"""Approval request bodies and JSON shapes (approval, comment, linked issue)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field

from paperclip.costs.schemas import Body, JsonObject, Note, Text
from paperclip.db.models import Approval, ApprovalComment, Issue
from paperclip.wire import iso, uid

ApprovalType = Literal[
    "hire_agent", "approve_ceo_strategy", "budget_override_required", "request_board_approval"
]


class ApprovalCreate(Body):
    type: ApprovalType
    requestedByAgentId: uuid.UUID | None = None
    payload: JsonObject
    issueIds: Annotated[list[uuid.UUID], Field(max_length=100)] | None = None
    idempotencyKey: Annotated[Text, Field(min_length=1, max_length=255)] | None = None


class Decision(Body):
    decisionNote: Note | None = None


class Resubmit(Body):
    payload: JsonObject | None = None


class ApprovalCommentCreate(Body):
    body: Annotated[Text, Field(min_length=1, max_length=50_000)]


class IssueLink(Body):
    approvalId: uuid.UUID


def approval_to_wire(a: Approval) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "companyId": str(a.company_id),
        "type": a.type,
        "requestedByAgentId": uid(a.requested_by_agent_id),
        "requestedByUserId": a.requested_by_user_id,
        "status": a.status,
        "payload": a.payload,
        "decisionNote": a.decision_note,
        "decidedByUserId": a.decided_by_user_id,
        "decidedAt": iso(a.decided_at),
        "createdAt": iso(a.created_at),
        "updatedAt": iso(a.updated_at),
    }


def comment_to_wire(c: ApprovalComment) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "companyId": str(c.company_id),
        "approvalId": str(c.approval_id),
        "authorAgentId": uid(c.author_agent_id),
        "authorUserId": c.author_user_id,
        "body": c.body,
        "createdAt": iso(c.created_at),
        "updatedAt": iso(c.updated_at),
    }


def linked_issue_to_wire(i: Issue) -> dict[str, Any]:
    return {
        "id": str(i.id),
        "companyId": str(i.company_id),
        "projectId": uid(i.project_id),
        "goalId": uid(i.goal_id),
        "parentId": uid(i.parent_id),
        "title": i.title,
        "description": i.description,
        "status": i.status,
        "priority": i.priority,
        "assigneeAgentId": uid(i.assignee_agent_id),
        "createdByAgentId": uid(i.created_by_agent_id),
        "createdByUserId": i.created_by_user_id,
        "issueNumber": i.issue_number,
        "identifier": i.identifier,
        "requestDepth": i.request_depth,
        "billingCode": i.billing_code,
        "startedAt": iso(i.started_at),
        "completedAt": iso(i.completed_at),
        "cancelledAt": iso(i.cancelled_at),
        "createdAt": iso(i.created_at),
        "updatedAt": iso(i.updated_at),
    }

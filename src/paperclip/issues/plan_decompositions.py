"""Accepted-plan decompositions (the original's GET/POST /issues/{id}/accepted-plan-decompositions).

An issue's plan lives in its `plan` document. Once the board accepted a revision of it — a
request_confirmation interaction on the issue whose payload.target is that revision, resolved
`accepted` — the plan's owner turns it into child issues in one request: the children are created
under the issue (assignees are not woken: the plan's owner starts them), and the decomposition is
recorded once per (issue, revision). A repeated request with the same children answers the recorded
one; different children for the same revision are a 409. The GET lists what was recorded, with the
children's current state.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import (
    AcceptedPlanDecomposition,
    DocumentRevision,
    Issue,
    IssueDocument,
    IssueThreadInteraction,
)
from paperclip.db.paging import Window
from paperclip.errors import Conflict, Unprocessable
from paperclip.issues.identifiers import find_issue
from paperclip.issues.schemas import IssueCreate
from paperclip.issues.service import create_issue
from paperclip.wire import iso, uid

NOT_PLAN_REVISION = "acceptedPlanRevisionId must belong to the source issue's plan document"
NOT_ACCEPTED = "acceptedPlanRevisionId must have an accepted plan confirmation"
OTHER_CHILDREN = "Accepted-plan decomposition already exists for this revision with a different child set"


def _fingerprint(children: list[BaseModel]) -> str:
    canonical = [c.model_dump(mode="json", exclude_unset=True) for c in children]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _wire(row: AcceptedPlanDecomposition) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "companyId": str(row.company_id),
        "sourceIssueId": str(row.source_issue_id),
        "acceptedPlanRevisionId": str(row.plan_revision_id),
        "acceptedInteractionId": uid(row.interaction_id),
        "status": row.status,
        "requestFingerprint": row.request_fingerprint,
        "requestedChildCount": row.requested_child_count,
        "childIssueIds": list(row.child_issue_ids),
        "ownerAgentId": uid(row.owner_agent_id),
        "ownerUserId": row.owner_user_id,
        "ownerRunId": uid(row.owner_run_id),
        "completedAt": iso(row.completed_at),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


async def list_decompositions(
    session: AsyncSession, actor: Actor, ref: str, window: Window | None = None
) -> list[dict[str, Any]]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    stmt = (
        sa.select(AcceptedPlanDecomposition, DocumentRevision.revision_number)
        .join(DocumentRevision, DocumentRevision.id == AcceptedPlanDecomposition.plan_revision_id)
        .where(AcceptedPlanDecomposition.source_issue_id == issue["id"])
        .order_by(AcceptedPlanDecomposition.created_at, AcceptedPlanDecomposition.id)
    )
    rows = (await session.execute(window.apply(stmt) if window else stmt)).all()
    child_ids = [uuid.UUID(c) for row, _n in rows for c in row.child_issue_ids]
    children: dict[str, dict[str, Any]] = {}
    if child_ids:
        for c in await session.execute(
            sa.select(
                Issue.id,
                Issue.identifier,
                Issue.title,
                Issue.status,
                Issue.priority,
                Issue.assignee_agent_id,
                Issue.assignee_user_id,
            ).where(Issue.id.in_(child_ids))
        ):
            children[str(c.id)] = {
                "id": str(c.id),
                "identifier": c.identifier,
                "title": c.title,
                "status": c.status,
                "priority": c.priority,
                "assigneeAgentId": uid(c.assignee_agent_id),
                "assigneeUserId": c.assignee_user_id,
            }
    return [
        {
            **_wire(row),
            "acceptedPlanRevisionNumber": number,
            "childIssues": [
                children[c] for c in row.child_issue_ids if c in children
            ],  # deleted ones drop out
        }
        for row, number in rows
    ]


async def _accepted_confirmation(
    session: AsyncSession, issue_id: uuid.UUID, revision_id: uuid.UUID
) -> uuid.UUID | None:
    target = IssueThreadInteraction.payload["target"]
    return await session.scalar(
        sa.select(IssueThreadInteraction.id)
        .where(
            IssueThreadInteraction.issue_id == issue_id,
            IssueThreadInteraction.kind == "request_confirmation",
            IssueThreadInteraction.status == "accepted",
            target["type"].astext == "issue_document",
            target["key"].astext == "plan",
            target["revisionId"].astext == str(revision_id),
        )
        .order_by(IssueThreadInteraction.resolved_at.desc().nulls_last())
        .limit(1)
    )


async def decompose(
    session: AsyncSession,
    actor: Actor,
    ref: str,
    revision_id: uuid.UUID,
    children: list[IssueCreate],
    now: datetime,
) -> dict[str, Any]:
    issue = await find_issue(session, ref, for_update=True)  # one decomposition at a time per issue
    actor.require_company(issue["company_id"])
    belongs = await session.scalar(
        sa.select(DocumentRevision.id)
        .join(IssueDocument, IssueDocument.document_id == DocumentRevision.document_id)
        .where(
            IssueDocument.issue_id == issue["id"],
            IssueDocument.key == "plan",
            DocumentRevision.id == revision_id,
        )
    )
    if belongs is None:
        raise Unprocessable(NOT_PLAN_REVISION, details={"field": "acceptedPlanRevisionId"})
    interaction_id = await _accepted_confirmation(session, issue["id"], revision_id)
    if interaction_id is None:
        raise Unprocessable(NOT_ACCEPTED, details={"field": "acceptedPlanRevisionId"})
    fingerprint = _fingerprint(list(children))
    existing = await session.scalar(
        sa.select(AcceptedPlanDecomposition).where(
            AcceptedPlanDecomposition.source_issue_id == issue["id"],
            AcceptedPlanDecomposition.plan_revision_id == revision_id,
        )
    )
    if existing is not None:
        if existing.request_fingerprint != fingerprint:
            raise Conflict(OTHER_CHILDREN)
        return {
            "decomposition": _wire(existing),
            "childIssueIds": list(existing.child_issue_ids),
            "newlyCreatedChildIssueIds": [],
        }
    created: list[str] = []
    for child in children:
        wire = await create_issue(session, actor, issue["company_id"], child, now, parent=issue, wake=False)
        created.append(wire["id"])
    row = AcceptedPlanDecomposition(
        id=uuid.uuid4(),
        company_id=issue["company_id"],
        source_issue_id=issue["id"],
        plan_revision_id=revision_id,
        interaction_id=interaction_id,
        status="completed",
        request_fingerprint=fingerprint,
        requested_child_count=len(children),
        child_issue_ids=created,
        owner_agent_id=actor.agent_id if actor.is_agent else None,
        owner_user_id=actor.user_id if actor.is_board else None,
        owner_run_id=actor.run_id if actor.is_agent else None,
        completed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.accepted_plan_decomposition_updated",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "status": "completed",
            "identifier": issue["identifier"],
            "decompositionId": str(row.id),
            "acceptedPlanRevisionId": str(revision_id),
            "requestedChildCount": len(children),
            "childIssueIds": created,
            "newlyCreatedChildIssueIds": created,
        },
    )
    return {"decomposition": _wire(row), "childIssueIds": created, "newlyCreatedChildIssueIds": created}

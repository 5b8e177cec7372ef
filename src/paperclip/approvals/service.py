"""Approvals: create, list, get, decide (approve / reject / request revision), resubmit, comments, issue links."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.approvals import hire
from paperclip.approvals.schemas import ApprovalCreate
from paperclip.auth.actor import Actor
from paperclip.db.models import Agent, Approval, ApprovalComment, Company, Issue, IssueApproval
from paperclip.db.paging import Window
from paperclip.errors import Conflict, Forbidden, NotFound, Unprocessable
from paperclip.heartbeat.wakeups import request_wakeup
from paperclip.secrets.bindings import approval_payload
from paperclip.vocabulary import APPROVAL_DECIDABLE

APPROVAL_NOT_FOUND = "Approval not found"
DECISIONS = {
    # action: (new status, statuses it may leave, refusal message, activity action)
    "approve": (
        "approved",
        APPROVAL_DECIDABLE,
        "Only pending or revision requested approvals can be approved",
        "approval.approved",
    ),
    "reject": (
        "rejected",
        APPROVAL_DECIDABLE,
        "Only pending or revision requested approvals can be rejected",
        "approval.rejected",
    ),
    "request-revision": (
        "revision_requested",
        ("pending",),
        "Only pending approvals can request revision",
        "approval.revision_requested",
    ),
}


async def _company_exists(session: AsyncSession, company_id: uuid.UUID) -> None:
    if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
        raise NotFound("Company not found")


async def get_approval(
    session: AsyncSession, actor: Actor, approval_id: uuid.UUID, *, for_update: bool = False
) -> Approval:
    actor.require_authenticated()
    stmt = sa.select(Approval).where(Approval.id == approval_id)
    if for_update:
        stmt = stmt.with_for_update(key_share=True)
    approval = await session.scalar(stmt)
    if approval is None:
        raise NotFound(APPROVAL_NOT_FOUND)
    actor.require_company(approval.company_id)
    return approval


async def _issues_in_company(
    session: AsyncSession, company_id: uuid.UUID, issue_ids: list[uuid.UUID]
) -> None:
    if not issue_ids:
        return
    found = set(
        await session.scalars(
            sa.select(Issue.id).where(Issue.id.in_(issue_ids), Issue.company_id == company_id)
        )
    )
    if found != set(issue_ids):
        raise Unprocessable("Linked issues must belong to the same company")


async def create_approval(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: ApprovalCreate,
    now: datetime,
    *,
    strict_secrets: bool,
) -> tuple[Approval, bool]:
    """The new approval (created=True), or the company's approval with the same idempotencyKey."""
    actor.require_company(company_id)
    await _company_exists(session, company_id)
    if actor.is_agent:
        agent_id, user_id = actor.agent_id, None
    else:
        agent_id, user_id = body.requestedByAgentId, actor.user_id
        if (
            agent_id is not None
            and await session.scalar(
                sa.select(Agent.id).where(Agent.id == agent_id, Agent.company_id == company_id)
            )
            is None
        ):
            raise Unprocessable("Requesting agent must belong to the company")
    issue_ids = list(dict.fromkeys(body.issueIds or []))
    await _issues_in_company(session, company_id, issue_ids)
    payload = await approval_payload(session, company_id, body.type, body.payload, strict=strict_secrets)
    stmt = insert(Approval).values(
        id=uuid.uuid4(),
        company_id=company_id,
        type=body.type,
        requested_by_agent_id=agent_id,
        requested_by_user_id=user_id,
        status="pending",
        payload=payload,
        idempotency_key=body.idempotencyKey,
        created_at=now,
        updated_at=now,
    )
    if body.idempotencyKey is not None:
        stmt = stmt.on_conflict_do_nothing(
            index_elements=["company_id", "idempotency_key"],
            index_where=Approval.idempotency_key.is_not(None),
        )
    approval = (await session.scalars(stmt.returning(Approval))).one_or_none()
    if approval is None:
        existing = await session.scalar(
            sa.select(Approval).where(
                Approval.company_id == company_id, Approval.idempotency_key == body.idempotencyKey
            )
        )
        assert existing is not None
        return existing, False
    if issue_ids:
        await session.execute(
            insert(IssueApproval)
            .values(
                [
                    {"issue_id": i, "approval_id": approval.id, "company_id": company_id, "created_at": now}
                    for i in issue_ids
                ]
            )
            .on_conflict_do_nothing()
        )
    await record(
        session,
        actor,
        company_id=company_id,
        action="approval.created",
        entity_type="approval",
        entity_id=approval.id,
        details={"type": approval.type, "issueIds": [str(i) for i in issue_ids]},
    )
    return approval, True


async def list_approvals(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    status: str | None,
    window: Window | None = None,
) -> list[Approval]:
    actor.require_company(company_id)
    await _company_exists(session, company_id)
    if status and "\x00" in status:
        return []
    stmt = sa.select(Approval).where(Approval.company_id == company_id)
    if status:
        stmt = stmt.where(Approval.status == status)
    stmt = stmt.order_by(Approval.created_at.desc(), Approval.id)
    return list(await session.scalars(window.apply(stmt) if window else stmt))


async def linked_issue_ids(session: AsyncSession, approval_id: uuid.UUID) -> list[str]:
    return [
        str(i)
        for i in await session.scalars(
            sa.select(IssueApproval.issue_id)
            .where(IssueApproval.approval_id == approval_id)
            .order_by(IssueApproval.created_at)
        )
    ]


async def decide(
    session: AsyncSession, actor: Actor, approval_id: uuid.UUID, action: str, note: str | None, now: datetime
) -> Approval:
    actor.require_board()
    approval = await get_approval(session, actor, approval_id, for_update=True)
    status, allowed, refusal, activity = DECISIONS[action]
    if approval.status not in allowed:
        raise Unprocessable(refusal, {"status": approval.status})
    approval.status = status
    approval.decision_note = note
    approval.decided_by_user_id = actor.user_id
    approval.decided_at = now
    approval.updated_at = now
    await session.flush()
    if approval.type == "hire_agent" and status == "approved":
        await hire.on_approved(session, actor, approval, now)
    elif approval.type == "hire_agent" and status == "rejected":
        await hire.on_rejected(session, approval, now)
    issue_ids = await linked_issue_ids(session, approval.id)
    details: dict[str, Any] = {"type": approval.type}
    if status == "approved":
        details.update(
            linkedIssueIds=issue_ids,
            requestedByAgentId=str(approval.requested_by_agent_id)
            if approval.requested_by_agent_id
            else None,
        )
    await record(
        session,
        actor,
        company_id=approval.company_id,
        action=activity,
        entity_type="approval",
        entity_id=approval.id,
        details=details,
    )
    await _wake_requester(session, actor, approval, issue_ids, now)
    return approval


async def _wake_requester(
    session: AsyncSession, actor: Actor, approval: Approval, issue_ids: list[str], now: datetime
) -> None:
    """Tell the requesting agent about the decision (wake reason approval_<status>)."""
    agent_id = approval.requested_by_agent_id
    if agent_id is None:
        return
    context = {"approvalId": str(approval.id), "approvalStatus": approval.status, "issueIds": issue_ids}
    try:
        await request_wakeup(
            session,
            company_id=approval.company_id,
            agent_id=agent_id,
            source="automation",
            reason=f"approval_{approval.status}",
            now=now,
            trigger_detail="system",
            payload=context,
            context=context,
            requested_by_actor_type=actor.activity_type,
            requested_by_actor_id=actor.activity_id,
        )
    except (Conflict, NotFound) as exc:  # paused / terminated / gone: the decision stands, the wake does not
        await record(
            session,
            actor,
            company_id=approval.company_id,
            action="approval.requester_wakeup_failed",
            entity_type="approval",
            entity_id=approval.id,
            details={"error": exc.message, "linkedIssueIds": issue_ids, "requesterAgentId": str(agent_id)},
        )


async def resubmit(
    session: AsyncSession,
    actor: Actor,
    approval_id: uuid.UUID,
    payload: dict[str, Any] | None,
    now: datetime,
    *,
    strict_secrets: bool,
) -> Approval:
    approval = await get_approval(session, actor, approval_id, for_update=True)
    if actor.is_agent and approval.requested_by_agent_id != actor.agent_id:
        raise Forbidden("Only the requesting agent can resubmit an approval")
    if approval.status != "revision_requested":
        raise Unprocessable(
            "Only revision requested approvals can be resubmitted", {"status": approval.status}
        )
    if payload is not None:
        approval.payload = await approval_payload(
            session, approval.company_id, approval.type, payload, strict=strict_secrets
        )
    approval.status = "pending"
    approval.decision_note = None
    approval.decided_by_user_id = None
    approval.decided_at = None
    approval.updated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=approval.company_id,
        action="approval.resubmitted",
        entity_type="approval",
        entity_id=approval.id,
        details={"type": approval.type},
    )
    return approval


async def list_comments(
    session: AsyncSession, actor: Actor, approval_id: uuid.UUID, window: Window | None = None
) -> list[ApprovalComment]:
    await get_approval(session, actor, approval_id)
    stmt = (
        sa.select(ApprovalComment)
        .where(ApprovalComment.approval_id == approval_id)
        .order_by(ApprovalComment.created_at, ApprovalComment.id)
    )
    return list(await session.scalars(window.apply(stmt) if window else stmt))


async def add_comment(
    session: AsyncSession, actor: Actor, approval_id: uuid.UUID, body: str, now: datetime
) -> ApprovalComment:
    approval = await get_approval(session, actor, approval_id)
    comment = ApprovalComment(
        id=uuid.uuid4(),
        company_id=approval.company_id,
        approval_id=approval.id,
        author_agent_id=actor.agent_id if actor.is_agent else None,
        author_user_id=None if actor.is_agent else actor.user_id,
        body=body,
        created_at=now,
        updated_at=now,
    )
    session.add(comment)
    await session.flush()
    await record(
        session,
        actor,
        company_id=approval.company_id,
        action="approval.comment_added",
        entity_type="approval",
        entity_id=approval.id,
        details={"commentId": str(comment.id)},
    )
    return comment


async def approval_issues(
    session: AsyncSession, actor: Actor, approval_id: uuid.UUID, window: Window | None = None
) -> list[Issue]:
    await get_approval(session, actor, approval_id)
    stmt = (
        sa.select(Issue)
        .join(IssueApproval, IssueApproval.issue_id == Issue.id)
        .where(IssueApproval.approval_id == approval_id)
        .order_by(IssueApproval.created_at, Issue.id)
    )
    return list(await session.scalars(window.apply(stmt) if window else stmt))

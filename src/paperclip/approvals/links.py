"""Links between issues and approvals (`issue_approvals`), managed from the issue's side."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Approval, Issue, IssueApproval
from paperclip.db.paging import Window
from paperclip.errors import NotFound
from paperclip.ids import parse_uuid

ISSUE_NOT_FOUND = "Issue not found"


async def find_issue(session: AsyncSession, actor: Actor, ref: str) -> Issue:
    """An issue by UUID or by identifier (`PAP-12`), if the actor may see its company."""
    actor.require_authenticated()
    if len(ref) > 64 or "\x00" in ref:
        raise NotFound(ISSUE_NOT_FOUND)
    parsed = parse_uuid(ref)
    condition = Issue.id == parsed if parsed is not None else Issue.identifier == ref.upper()
    issue = await session.scalar(sa.select(Issue).where(condition))
    if issue is None:
        raise NotFound(ISSUE_NOT_FOUND)
    actor.require_company(issue.company_id)
    return issue


async def linked_approvals(
    session: AsyncSession, issue_id: uuid.UUID, window: Window | None = None
) -> list[Approval]:
    stmt = (
        sa.select(Approval)
        .join(IssueApproval, IssueApproval.approval_id == Approval.id)
        .where(IssueApproval.issue_id == issue_id)
        .order_by(IssueApproval.created_at.desc(), Approval.created_at, Approval.id)
    )
    return list(await session.scalars(window.apply(stmt) if window else stmt))


async def link(
    session: AsyncSession, actor: Actor, issue: Issue, approval_id: uuid.UUID, now: datetime
) -> None:
    found = await session.scalar(
        sa.select(Approval.id).where(Approval.id == approval_id, Approval.company_id == issue.company_id)
    )
    if found is None:
        raise NotFound("Approval not found")
    await session.execute(
        insert(IssueApproval)
        .values(
            issue_id=issue.id,
            approval_id=approval_id,
            company_id=issue.company_id,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )
    await record(
        session,
        actor,
        company_id=issue.company_id,
        action="issue.approval_linked",
        entity_type="issue",
        entity_id=issue.id,
        details={"approvalId": str(approval_id)},
    )


async def unlink(session: AsyncSession, actor: Actor, issue: Issue, approval_id: uuid.UUID) -> None:
    await session.execute(
        sa.delete(IssueApproval).where(
            IssueApproval.issue_id == issue.id, IssueApproval.approval_id == approval_id
        )
    )
    await record(
        session,
        actor,
        company_id=issue.company_id,
        action="issue.approval_unlinked",
        entity_type="issue",
        entity_id=issue.id,
        details={"approvalId": str(approval_id)},
    )

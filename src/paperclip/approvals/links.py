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
from paperclip.issues.identifiers import find_visible_issue

find_issue = find_visible_issue  # the issue side of a link, as the approval routes name it


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

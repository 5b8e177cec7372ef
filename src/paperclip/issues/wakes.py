"""Who an issue change wakes, through the heartbeat's general wake-up path `request_wakeup`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.models import Issue
from paperclip.errors import AppError
from paperclip.heartbeat.wakeups import request_wakeup
from paperclip.issues import blockers
from paperclip.vocabulary import ISSUE_TERMINAL

log = logging.getLogger("paperclip.issues")
ISSUES = Issue.__table__


class Wakes:
    """Collects the wake-ups of one request, one per agent, first reason wins."""

    def __init__(self, actor: Actor, company_id: uuid.UUID, now: datetime):
        self.actor = actor
        self.company_id = company_id
        self.now = now
        self.woken: set[uuid.UUID] = set()

    async def wake(
        self,
        session: AsyncSession,
        agent_id: uuid.UUID | None,
        *,
        source: str,
        reason: str,
        payload: dict,
        context: dict,
    ) -> None:
        if agent_id is None or agent_id in self.woken:
            return
        self.woken.add(agent_id)
        try:
            await request_wakeup(
                session,
                company_id=self.company_id,
                agent_id=agent_id,
                source=source,
                reason=reason,
                now=self.now,
                trigger_detail="system",
                payload=payload,
                context=context,
                requested_by_actor_type=self.actor.activity_type,
                requested_by_actor_id=self.actor.activity_id,
            )
        except AppError as exc:  # a paused or terminated agent is not woken; the change itself stands
            log.info("wake-up of agent %s (%s) not queued: %s", agent_id, reason, exc.message)

    async def assigned(
        self, session: AsyncSession, issue_id: uuid.UUID, agent_id: uuid.UUID, mutation: str
    ) -> None:
        key = str(issue_id)
        await self.wake(
            session,
            agent_id,
            source="assignment",
            reason="issue_assigned",
            payload={"issueId": key, "mutation": mutation},
            # the wake's source as the original names it (the websocket's contextSource)
            context={"issueId": key, "taskId": key, "taskKey": key, "source": f"issue.{mutation}"},
        )

    async def status_changed(
        self, session: AsyncSession, issue_id: uuid.UUID, agent_id: uuid.UUID, status: str
    ) -> None:
        """An assigned issue leaving the backlog becomes actionable for its assignee."""
        key = str(issue_id)
        await self.wake(
            session,
            agent_id,
            source="automation",
            reason="issue_status_changed",
            payload={"issueId": key, "mutation": "update", "status": status},
            context={"issueId": key, "taskId": key, "taskKey": key, "source": "issue.update"},
        )

    async def commented(
        self,
        session: AsyncSession,
        issue_id: uuid.UUID,
        assignee: uuid.UUID | None,
        comment_id: uuid.UUID,
        mentioned: Iterable[uuid.UUID],
    ) -> None:
        key, cid = str(issue_id), str(comment_id)
        if self.actor.is_agent:
            self.woken.add(self.actor.agent_id)  # nobody wakes themselves
        if assignee is not None:
            await self.wake(
                session,
                assignee,
                source="automation",
                reason="issue_commented",
                payload={"issueId": key, "commentId": cid},
                context={
                    "issueId": key,
                    "taskId": key,
                    "taskKey": key,
                    "commentId": cid,
                    "wakeCommentId": cid,
                    "source": "comment",
                },
            )
        for agent_id in mentioned:
            await self.wake(
                session,
                agent_id,
                source="automation",
                reason="issue_comment_mentioned",
                payload={"issueId": key, "commentId": cid},
                context={
                    "issueId": key,
                    "taskId": key,
                    "taskKey": key,
                    "commentId": cid,
                    "wakeCommentId": cid,
                    "wakeReason": "issue_comment_mentioned",
                    "source": "comment.mention",
                },
            )

    async def became_terminal(
        self, session: AsyncSession, issue_id: uuid.UUID, status: str, parent_id: uuid.UUID | None
    ) -> None:
        """A blocker reaching done may unblock issues; a last child finishing wakes the parent's owner."""
        if status == "done":
            for blocked_id, assignee in await blockers.unblocked_by(session, issue_id):
                key = str(blocked_id)
                await self.wake(
                    session,
                    assignee,
                    source="automation",
                    reason="issue_blockers_resolved",
                    payload={"issueId": key, "resolvedBlockerIssueId": str(issue_id)},
                    context={"issueId": key, "taskId": key, "taskKey": key},
                )
        if parent_id is not None:
            parent = (
                await session.execute(
                    sa.select(ISSUES.c.assignee_agent_id, ISSUES.c.status).where(ISSUES.c.id == parent_id)
                )
            ).first()
            if parent is None or parent.assignee_agent_id is None or parent.status in ISSUE_TERMINAL:
                return
            open_children = await session.scalar(
                sa.select(
                    sa.exists().where(ISSUES.c.parent_id == parent_id, ISSUES.c.status.not_in(ISSUE_TERMINAL))
                )
            )
            if not open_children:
                key = str(parent_id)
                await self.wake(
                    session,
                    parent.assignee_agent_id,
                    source="automation",
                    reason="issue_children_completed",
                    payload={"issueId": key, "completedChildIssueId": str(issue_id)},
                    context={"issueId": key, "taskId": key, "taskKey": key},
                )

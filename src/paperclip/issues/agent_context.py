"""What an agent reads each wake (reference §5.9): its inbox of assigned work, and the context of the
issue it is about to work (the issue, its blockers, ancestors, project and goal, the comment cursor and
the comment that woke it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.errors import Unauthorized
from paperclip.issues import queries
from paperclip.issues.detail import detail_to_wire, load_detail
from paperclip.issues.shapes import comment_to_wire
from paperclip.wire import iso


def _require_agent(actor: Actor) -> None:
    if not actor.is_agent:
        raise Unauthorized("Agent authentication required")


async def inbox_lite(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    _require_agent(actor)
    return await queries.AGENT_INBOX.fetchval(session, company_id=actor.company_id, agent_id=actor.agent_id)


_ISSUE_FIELDS = (
    "id",
    "identifier",
    "title",
    "description",
    "status",
    "priority",
    "projectId",
    "goalId",
    "parentId",
    "blockedBy",
    "blocks",
    "assigneeAgentId",
    "assigneeUserId",
    "originKind",
    "originId",
    "updatedAt",
)
_NO_ATTENTION = {
    "state": "none",
    "reason": None,
    "unresolvedBlockerCount": 0,
    "coveredBlockerCount": 0,
    "stalledBlockerCount": 0,
    "attentionBlockerCount": 0,
    "pendingFinalizeBlockerIssueIds": [],
    "sampleBlockerIdentifier": None,
    "sampleStalledBlockerIdentifier": None,
    "blockingTreeLive": False,
    "directBlockerIssueId": None,
    "terminalBlockerIssueId": None,
    "terminalBlocker": None,
}


async def heartbeat_context(session: AsyncSession, actor: Actor, issue_ref: str) -> dict[str, Any]:
    row = await load_detail(session, issue_ref)
    actor.require_company(row["company_id"])
    detail = await detail_to_wire(session, row)
    issue = {key: detail.get(key) for key in _ISSUE_FIELDS}
    issue.update(
        {
            "workMode": "standard",
            "blockerAttention": dict(_NO_ATTENTION),
            "reviewAttention": {"state": "none", "paths": [], "reason": None},
            "scheduledRetry": None,
            "activeRecoveryAction": detail["activeRecoveryAction"],
        }
    )
    cursor = await queries.COMMENT_CURSOR.fetchrow(session, issue_id=row["id"])
    assert cursor is not None  # an aggregate: always one row
    wake_comment = None
    if actor.is_agent and actor.run_id is not None:
        found = await queries.WAKE_COMMENT.fetchrow(session, run_id=actor.run_id, issue_id=row["id"])
        wake_comment = comment_to_wire(found) if found else None
    return {
        "issue": issue,
        "ancestors": detail["ancestors"],
        "project": detail["project"],
        "goal": detail["goal"],
        "commentCursor": {
            "totalComments": cursor["total"],
            "latestCommentId": str(cursor["latest_id"]) if cursor["latest_id"] else None,
            "latestCommentAt": iso(cursor["latest_at"]),
        },
        "wakeComment": wake_comment,
        "attachments": [],
        "continuationSummary": None,
        "planReviewContext": None,
        "documentReviewContext": None,
        "currentExecutionWorkspace": None,
    }

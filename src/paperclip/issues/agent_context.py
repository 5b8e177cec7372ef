"""What an agent reads each wake (reference §5.9): its inbox of assigned work, and the context of the
issue it is about to work (the issue, its blockers, ancestors, project and goal, the comment cursor and
the comment that woke it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.errors import Unauthorized
from paperclip.issues.detail import detail_to_wire, load_detail
from paperclip.issues.listing import ts
from paperclip.issues.recovery import action_json, active_action
from paperclip.issues.shapes import comment_to_wire
from paperclip.wire import iso

INBOX_STATUSES = ("todo", "in_progress", "blocked")  # the work an agent should pick from, in_progress first
UNRESOLVED = ("done", "cancelled")
INBOX_LIMIT = 500

_INBOX = sa.text(f"""
SELECT COALESCE(json_agg(json_build_object(
    'id', i.id, 'identifier', i.identifier, 'title', i.title, 'status', i.status, 'priority', i.priority,
    'projectId', i.project_id, 'goalId', i.goal_id, 'parentId', i.parent_id,
    'updatedAt', {ts("i.updated_at")},
    'activeRun', (SELECT json_build_object('id', r.id, 'status', r.status, 'agentId', r.agent_id,
                                           'invocationSource', r.invocation_source,
                                           'startedAt', {ts("r.started_at")})
                  FROM heartbeat_runs r WHERE r.id = i.execution_run_id AND r.status IN ('queued', 'running')),
    'activeRecoveryAction', (SELECT {action_json("ra")} FROM issue_recovery_actions ra
                             WHERE ra.source_issue_id = i.id AND ra.status = 'active' LIMIT 1),
    'dependencyReady', cardinality(b.ids) = 0,
    'unresolvedBlockerCount', cardinality(b.ids),
    'unresolvedBlockerIssueIds', to_json(b.ids))
  ORDER BY CASE i.status WHEN 'in_progress' THEN 0 WHEN 'todo' THEN 1 ELSE 2 END, i.updated_at DESC, i.id), '[]'::json)
FROM (SELECT * FROM issues WHERE company_id = :company_id AND assignee_agent_id = :agent_id
        AND status IN ({", ".join(f"'{s}'" for s in INBOX_STATUSES)}) AND hidden_at IS NULL
      ORDER BY updated_at DESC LIMIT {INBOX_LIMIT}) i
CROSS JOIN LATERAL (
    SELECT COALESCE(array_agg(r.related_issue_id ORDER BY r.created_at), ARRAY[]::uuid[]) AS ids
    FROM issue_relations r JOIN issues blocker ON blocker.id = r.related_issue_id
    WHERE r.issue_id = i.id AND r.type = 'blocks' AND blocker.status NOT IN ({", ".join(f"'{s}'" for s in UNRESOLVED)})
) b
""")


def _require_agent(actor: Actor) -> None:
    if not actor.is_agent:
        raise Unauthorized("Agent authentication required")


async def inbox_lite(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    _require_agent(actor)
    return (
        await session.execute(_INBOX, {"company_id": actor.company_id, "agent_id": actor.agent_id})
    ).scalar_one()


_CURSOR = sa.text("""
SELECT count(*) AS total,
       (SELECT id FROM issue_comments WHERE issue_id = :issue_id ORDER BY created_at DESC, id DESC LIMIT 1) AS latest_id,
       max(created_at) AS latest_at
FROM issue_comments WHERE issue_id = :issue_id
""")
_WAKE_COMMENT = sa.text("""
SELECT c.* FROM heartbeat_runs r
JOIN issue_comments c ON c.id::text = COALESCE(r.context_snapshot->>'wakeCommentId', r.context_snapshot->>'commentId')
WHERE r.id = :run_id AND c.issue_id = :issue_id
""")

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
            "activeRecoveryAction": await active_action(session, row["id"]),
        }
    )
    cursor = (await session.execute(_CURSOR, {"issue_id": row["id"]})).mappings().one()
    wake_comment = None
    if actor.is_agent and actor.run_id is not None:
        found = (
            (await session.execute(_WAKE_COMMENT, {"run_id": actor.run_id, "issue_id": row["id"]}))
            .mappings()
            .first()
        )
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

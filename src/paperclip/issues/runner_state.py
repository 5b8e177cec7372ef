"""What the original's issue page asks about a live agent session on an issue: the runner goal
(GET /issues/{id}/runner-goal; the queue of comments waiting for the next wake is
issues/queued_comments.py).

Both need a runner that keeps a live session the board can steer (the original's Paperclip Runner).
None of our adapters does: a local CLI adapter runs one process per heartbeat and a comment wakes the
agent for a new run instead. So the goal capability is "unsupported" with the original's reason code
for the issue's assignee (none, a direct CLI adapter, or any other adapter) — the answer the original
gives for the same adapters.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.models import Agent, AgentTaskSession
from paperclip.errors import BadRequest
from paperclip.ids import parse_uuid
from paperclip.issues.identifiers import find_issue

MAX_OBJECTIVE_CHARS = 4000  # the original's limit for a session goal's objective
_DIRECT_CLI = frozenset({"claude_local", "codex_local"})


def _capability(adapter_type: str | None) -> dict[str, Any]:
    if adapter_type is None:
        code, reason = "no_agent_selected", "Select an agent to use session goals."
    elif adapter_type in _DIRECT_CLI:
        code = "direct_adapter_goal_controller_unavailable"
        reason = (
            "This adapter runs the agent's CLI once per heartbeat; there is no live session to set a goal on."
        )
    else:
        code = "persistent_session_goal_extension_required"
        reason = "This adapter keeps no session whose goal could be set."
    return {
        "availability": "unsupported",
        "verified": True,
        "actions": [],
        "autonomousUpdates": False,
        "persistentAcrossResume": False,
        "maxObjectiveChars": MAX_OBJECTIVE_CHARS,
        "tokenBudgetControl": False,
        "usageReporting": False,
        "reasonCode": code,
        "reason": reason,
    }


async def runner_goal(
    session: AsyncSession, actor: Actor, ref: str, agent_ref: str | None = None
) -> dict[str, Any]:
    """For the issue's assignee, or for `agent_ref` (the agent the board picked on the issue page) as
    the original does; an agent that is not in the issue's company counts as none selected."""
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    agent_id = issue["assignee_agent_id"]
    adapter_type = session_id = None
    if agent_ref is not None:
        picked = parse_uuid(agent_ref)
        if picked is None:  # the original answers 500 here
            raise BadRequest(f"agentId: not an agent id: {agent_ref[:64]}")
        agent_id = await session.scalar(
            sa.select(Agent.id).where(Agent.id == picked, Agent.company_id == issue["company_id"])
        )
    if agent_id is not None:
        adapter_type = await session.scalar(sa.select(Agent.adapter_type).where(Agent.id == agent_id))
        # the agent's resumable session for this issue, if it has one
        session_id = await session.scalar(
            sa.select(AgentTaskSession.session_display_id).where(
                AgentTaskSession.agent_id == agent_id,
                AgentTaskSession.task_key == str(issue["id"]),
                AgentTaskSession.adapter_type == adapter_type,
            )
        )
    return {
        "issueId": str(issue["id"]),
        "agentId": str(agent_id) if agent_id else None,
        "adapterType": adapter_type,
        "sessionId": session_id,
        "capability": _capability(adapter_type),
        "goal": None,
        "workingNow": False,
        "activeRunId": None,
        "pendingAction": None,
        "revision": 0,
        "observedAt": None,
    }

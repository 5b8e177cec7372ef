"""GET /issues/{id}/runner-goal and /queued-comments (issues/runner_state.py)."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from paperclip.api.deps import DB, ActorDep
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter
from paperclip.issues import runner_state

router = FeatureRouter(tags=["issues"])


@router.get("/issues/{issue_id}/runner-goal")
@returns("RunnerGoal")
async def runner_goal(
    issue_id: str, session: DB, actor: ActorDep, agentId: str | None = Query(None)
) -> dict[str, Any]:
    return await runner_state.runner_goal(session, actor, issue_id, agentId)


@router.get("/issues/{issue_id}/queued-comments")
async def queued_comments(issue_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await runner_state.queued_comments(session, actor, issue_id)

"""The agent-facing reads of each wake: `/agents/me/inbox-lite` and `/issues/:id/heartbeat-context`."""

from __future__ import annotations

from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep
from paperclip.feature_router import FeatureRouter
from paperclip.issues import agent_context
from paperclip.issues.shapes import json_response

router = FeatureRouter(tags=["agent context"])


@router.get("/agents/me/inbox-lite")
async def inbox_lite(session: DB, actor: ActorDep) -> Response:
    return json_response(await agent_context.inbox_lite(session, actor))


@router.get("/issues/{issue_id}/heartbeat-context")
async def heartbeat_context(issue_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await agent_context.heartbeat_context(session, actor, issue_id))

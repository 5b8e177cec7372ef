"""POST /agents/:id/claude-login (agents/claude_login.py)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from paperclip.agents import claude_login
from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["agents"])


@router.post("/agents/{agent_id}/claude-login")
@returns("ClaudeLogin")
async def claude_login_route(
    agent_id: str, request: Request, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
) -> dict[str, Any]:
    api_url = getattr(request.app.state, "api_url", None) or str(request.base_url)
    plan = await claude_login.prepare(session, actor, agent_id, settings, api_url)
    result = await claude_login.run_login(plan)
    await claude_login.record_login(session, actor, plan, result, now)
    return result

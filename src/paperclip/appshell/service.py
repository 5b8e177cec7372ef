"""The app-shell reads. Values we have no feature for (plugins, announcements, per-user sidebar
ordering, resource stars) are the original's empty answers, which is what an instance without them
says; everything else comes from our tables."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.adapters.registry import adapters
from paperclip.appshell import queries
from paperclip.auth.actor import LOCAL_BOARD_USER_ID, Actor
from paperclip.errors import NotFound

EMPTY_RESOURCE_MEMBERSHIPS: dict[str, Any] = {
    "projectMemberships": {},
    "agentMemberships": {},
    "starredProjectIds": [],
    "starredAgentIds": [],
    "starredDocumentIds": [],
    "projectStarredAt": {},
    "agentStarredAt": {},
    "documentStarredAt": {},
    "updatedAt": None,
}

# Adapters that run a local agent CLI get the run's JWT and read the agent's instructions bundle
# (agents/instructions.py). None of ours syncs skills, so that capability is false (the original's
# client then hides it).
_LOCAL_CLI = {"claude_local", "codex_local"}


def adapter_list() -> list[dict[str, Any]]:
    out = []
    for kind, adapter in sorted(adapters().items()):
        local_cli = kind in _LOCAL_CLI
        out.append(
            {
                "type": kind,
                "label": kind,
                "source": "builtin" if type(adapter).__module__.startswith("paperclip.") else "plugin",
                "modelsCount": len(getattr(adapter, "models", ()) or ()),
                "loaded": True,
                "disabled": False,
                "capabilities": {
                    "supportsInstructionsBundle": local_cli,
                    "supportsSkills": False,
                    "supportsLocalAgentJwt": local_cli or kind == "process",
                    "requiresMaterializedRuntimeSkills": False,
                    "supportsAcp": False,
                },
                "overridePaused": False,
            }
        )
    return out


async def sidebar_badges(session: AsyncSession, actor: Actor, company_id: uuid.UUID) -> dict[str, int]:
    row = await queries.SIDEBAR_BADGES.fetchrow(session, company_id, actor.user_id or "")
    assert row is not None  # a SELECT of scalar subqueries always answers one row
    return {
        "inbox": row["inbox"],
        "approvals": row["approvals"],
        "failedRuns": row["failed_runs"],
        "joinRequests": row["join_requests"],
    }


async def user_directory(session: AsyncSession, company_id: uuid.UUID) -> dict[str, Any]:
    users = []
    for row in await queries.USER_DIRECTORY.fetch(session, company_id):
        local = row["principal_id"] == LOCAL_BOARD_USER_ID
        users.append(
            {
                "principalId": row["principal_id"],
                "status": row["status"],
                "user": {
                    "id": row["principal_id"],
                    "email": row["email"],
                    "name": row["name"] or ("Local Board" if local else None),
                    "image": row["image"],
                },
            }
        )
    return {"users": users}


async def agent_skills(session: AsyncSession, actor: Actor, agent_id: uuid.UUID) -> dict[str, Any]:
    """An agent's skill-sync state; no adapter of ours syncs skills, and this says so as the original
    does for an adapter without it."""
    row = await queries.AGENT_ADAPTER.fetchrow(session, agent_id)
    if row is None:
        raise NotFound("Agent not found")
    actor.require_company(row["company_id"])
    return {
        "adapterType": row["adapter_type"],
        "supported": False,
        "mode": "unsupported",
        "desiredSkills": [],
        "desiredSkillEntries": [],
        "entries": [],
        "warnings": ["This adapter does not implement skill sync yet."],
    }

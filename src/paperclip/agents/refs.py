"""Agent path references: a UUID, or the agent's URL key (`ceo-bot`) within a company.

URL keys resolve in `?companyId=` (or the calling agent's own company); an ambiguous key is a 409.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends

from paperclip.agents.schemas import url_key
from paperclip.api.deps import DB, ActorDep
from paperclip.auth.ids import path_uuid
from paperclip.db.models import Agent
from paperclip.errors import Conflict, NotFound, Unprocessable

AGENT_NOT_FOUND = "Agent not found"


async def resolve_agent_ref(
    agent_id: str, session: DB, actor: ActorDep, companyId: str | None = None
) -> uuid.UUID:  # noqa: N803
    if len(agent_id) <= 64:
        try:
            return uuid.UUID(agent_id)
        except ValueError:
            pass
    if len(agent_id) > 200:
        raise NotFound(AGENT_NOT_FOUND)
    if companyId is not None:
        company_id = path_uuid(companyId, "Company not found")
    elif actor.is_agent and actor.company_id is not None:
        company_id = actor.company_id
    else:
        raise Unprocessable("Agent shortname lookup requires companyId query parameter")
    actor.require_company(company_id)
    key = url_key(agent_id)
    rows = await session.execute(
        sa.select(Agent.id, Agent.name).where(Agent.company_id == company_id, Agent.status != "terminated")
    )
    matches = [row.id for row in rows if url_key(row.name) == key]
    if not matches:
        raise NotFound(AGENT_NOT_FOUND)
    if len(matches) > 1:
        raise Conflict("Agent shortname is ambiguous", details={"matches": [str(m) for m in matches]})
    return matches[0]


AgentRef = Annotated[uuid.UUID, Depends(resolve_agent_ref)]

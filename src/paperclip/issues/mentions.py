"""`@AgentName` mentions in comment bodies: case-insensitive, multi-word names, one match per agent."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent

UNREACHABLE = ("terminated", "pending_approval")


def mentioned_names(body: str, names: dict[uuid.UUID, str]) -> list[uuid.UUID]:
    """Ids of the agents whose name follows an `@` in body (a name ends at a non-word character)."""
    if "@" not in body:
        return []
    lowered = body.lower()
    found = []
    # Longest names first, so "@Alpha Bot" is not claimed by an agent called "Alpha".
    for agent_id, name in sorted(names.items(), key=lambda item: -len(item[1])):
        needle = name.strip().lower()
        if not needle:
            continue
        pattern = re.compile(r"(?<![\w@])@" + re.escape(needle) + r"(?!\w)")
        if pattern.search(lowered):
            found.append(agent_id)
            # claim the matched text, so "@Alpha Bot" does not also mention an agent called "Alpha"
            lowered = pattern.sub(lambda m: " " * len(m.group(0)), lowered)
    return found


async def find_mentioned_agents(session: AsyncSession, company_id: uuid.UUID, body: str) -> list[uuid.UUID]:
    if "@" not in body:
        return []
    rows = await session.execute(
        sa.select(Agent.id, Agent.name).where(
            Agent.company_id == company_id, Agent.status.not_in(UNREACHABLE)
        )
    )
    return mentioned_names(body, {r.id: r.name for r in rows})

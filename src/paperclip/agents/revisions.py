"""Config revisions: every change of an agent's configuration is a row with before/after snapshots.

Snapshots keep the stored values (like the agents row itself) and are redacted when read, so a
rollback restores secrets too instead of refusing.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.models import Agent, AgentConfigRevision
from paperclip.db.paging import Window
from paperclip.errors import NotFound

# wire key -> column attribute
CONFIG_FIELDS: dict[str, str] = {
    "name": "name",
    "role": "role",
    "title": "title",
    "icon": "icon",
    "reportsTo": "reports_to",
    "capabilities": "capabilities",
    "adapterType": "adapter_type",
    "adapterConfig": "adapter_config",
    "runtimeConfig": "runtime_config",
    "budgetMonthlyCents": "budget_monthly_cents",
    "metadata": "metadata_",
}


def snapshot(agent: Agent) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, attr in CONFIG_FIELDS.items():
        value = getattr(agent, attr)
        out[key] = str(value) if isinstance(value, uuid.UUID) else copy.deepcopy(value)
    return out


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in CONFIG_FIELDS if before.get(k) != after.get(k)]


async def add_revision(
    session: AsyncSession,
    actor: Actor,
    agent: Agent,
    before: dict[str, Any],
    after: dict[str, Any],
    keys: list[str],
    *,
    source: str = "patch",
    rolled_back_from: uuid.UUID | None = None,
    now: datetime,
) -> uuid.UUID:
    revision_id = uuid.uuid4()
    await session.execute(
        sa.insert(AgentConfigRevision).values(
            id=revision_id,
            company_id=agent.company_id,
            agent_id=agent.id,
            created_by_agent_id=actor.agent_id,
            created_by_user_id=actor.user_id if actor.is_board else None,
            source=source,
            rolled_back_from_revision_id=rolled_back_from,
            changed_keys=keys,
            before_config=before,
            after_config=after,
            created_at=now,
        )
    )
    return revision_id


async def list_revisions(
    session: AsyncSession, agent_id: uuid.UUID, window: Window = Window(200)
) -> list[AgentConfigRevision]:
    return list(
        await session.scalars(
            window.apply(
                sa.select(AgentConfigRevision)
                .where(AgentConfigRevision.agent_id == agent_id)
                .order_by(AgentConfigRevision.created_at.desc(), AgentConfigRevision.id.desc())
            )
        )
    )


async def get_revision(
    session: AsyncSession, agent_id: uuid.UUID, revision_id: uuid.UUID
) -> AgentConfigRevision:
    revision = await session.scalar(
        sa.select(AgentConfigRevision).where(
            AgentConfigRevision.id == revision_id, AgentConfigRevision.agent_id == agent_id
        )
    )
    if revision is None:
        raise NotFound("Revision not found")
    return revision

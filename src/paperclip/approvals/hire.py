"""What deciding a `hire_agent` approval does to the hired agent (reference §9.1).

Approve: the `pending_approval` agent named by `payload.agentId` becomes `idle`; without one, the agent
is created from the payload's draft. A requested monthly budget becomes the agent's budget policy.
Reject: the pending agent is terminated.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.costs.budgets import upsert_budget_policy
from paperclip.db.models import Agent, Approval
from paperclip.errors import Unprocessable
from paperclip.ids import parse_uuid

ROLES = {
    "ceo",
    "cto",
    "cmo",
    "cfo",
    "security",
    "engineer",
    "designer",
    "pm",
    "qa",
    "devops",
    "researcher",
    "general",
}
DEFAULT_RUNTIME_CONFIG: dict[str, Any] = {"heartbeat": {"enabled": False, "maxConcurrentRuns": 20}}
DEFAULT_PERMISSIONS: dict[str, Any] = {"canCreateAgents": True, "canCreateSkills": True}
INT32_MAX = 2_147_483_647


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _budget(payload: dict[str, Any]) -> int:
    value = payload.get("budgetMonthlyCents")
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT32_MAX else 0


async def on_approved(session: AsyncSession, actor: Actor, approval: Approval, now: datetime) -> None:
    payload = approval.payload or {}
    agent_id = parse_uuid(payload.get("agentId"))
    if agent_id is not None:
        existing = await session.scalar(
            sa.select(Agent.status).where(Agent.id == agent_id, Agent.company_id == approval.company_id)
        )
        if existing is not None:
            if existing == "pending_approval":
                await session.execute(
                    sa.update(Agent).where(Agent.id == agent_id).values(status="idle", updated_at=now)
                )
                await _budget_policy(session, actor, approval.company_id, agent_id, payload, now)
            return
    await _create_from_draft(session, actor, approval, payload, now)


async def on_rejected(session: AsyncSession, approval: Approval, now: datetime) -> None:
    agent_id = parse_uuid((approval.payload or {}).get("agentId"))
    if agent_id is not None:
        await session.execute(
            sa.update(Agent)
            .where(
                Agent.id == agent_id,
                Agent.company_id == approval.company_id,
                Agent.status == "pending_approval",
            )
            .values(status="terminated", updated_at=now)
        )


async def _budget_policy(session, actor, company_id, agent_id, payload, now) -> None:
    amount = _budget(payload)
    if amount > 0:
        await session.execute(
            sa.update(Agent).where(Agent.id == agent_id).values(budget_monthly_cents=amount)
        )
        await upsert_budget_policy(session, actor, company_id, "agent", agent_id, amount, now=now)


async def _create_from_draft(
    session: AsyncSession, actor: Actor, approval: Approval, payload: dict[str, Any], now: datetime
) -> None:
    name = _text(payload.get("name"), 200)
    if name is None:
        raise Unprocessable("Hire approval payload needs an agent name")
    role = payload.get("role") if payload.get("role") in ROLES else "general"
    manager = parse_uuid(payload.get("reportsTo"))
    if (
        manager is not None
        and await session.scalar(
            sa.select(Agent.id).where(Agent.id == manager, Agent.company_id == approval.company_id)
        )
        is None
    ):
        manager = None
    adapter_type = payload.get("adapterType")
    adapter_type = (
        adapter_type if isinstance(adapter_type, str) and 0 < len(adapter_type) <= 64 else "process"
    )

    def obj(key: str, default: dict[str, Any]) -> dict[str, Any]:
        value = payload.get(key)
        return value if isinstance(value, dict) else dict(default)

    agent_id = uuid.uuid4()
    session.add(
        Agent(
            id=agent_id,
            company_id=approval.company_id,
            name=name,
            role=role,
            title=_text(payload.get("title"), 200),
            icon=_text(payload.get("icon"), 64),
            status="idle",
            reports_to=manager,
            capabilities=_text(payload.get("capabilities"), 50_000),
            adapter_type=adapter_type,
            adapter_config=obj("adapterConfig", {}),
            runtime_config=obj("runtimeConfig", DEFAULT_RUNTIME_CONFIG),
            budget_monthly_cents=0,
            spent_monthly_cents=0,
            permissions=obj("permissions", DEFAULT_PERMISSIONS),
            metadata_=payload.get("metadata") if isinstance(payload.get("metadata"), dict) else None,
            created_at=now,
            updated_at=now,
        )
    )
    await session.flush()
    await record(
        session,
        actor,
        company_id=approval.company_id,
        action="agent.created",
        entity_type="agent",
        entity_id=agent_id,
        details={"name": name, "role": role, "approvalId": str(approval.id)},
    )
    await _budget_policy(session, actor, approval.company_id, agent_id, payload, now)

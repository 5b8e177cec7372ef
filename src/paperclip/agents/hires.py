"""Hiring: POST /companies/{id}/agent-hires → {agent, approval|null}.

When the company requires board approval for new agents (or an agent is the one hiring), the agent
is created `pending_approval` and a `hire_agent` approval carries the (redacted) draft; the
approvals feature activates or terminates it on decision.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.agents.schemas import AgentCreate
from paperclip.agents.service import insert_agent
from paperclip.auth.actor import Actor
from paperclip.auth.memberships import require_member_grant
from paperclip.companies.service import get_company
from paperclip.db.models import Agent, Approval
from paperclip.errors import Forbidden
from paperclip.redaction import redact, redact_adapter_config
from paperclip.wire import uid


async def _may_hire(session: AsyncSession, actor: Actor, company_id: uuid.UUID) -> None:
    if actor.is_board:
        await require_member_grant(session, actor, company_id, "agents:create")
        return
    actor.require_authenticated()
    hirer = await session.get(Agent, actor.agent_id)
    if hirer is None or not (hirer.permissions or {}).get("canCreateAgents"):
        raise Forbidden("Missing permission: agents:create")


async def hire(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: AgentCreate,
    now: datetime,
    *,
    strict_secrets: bool,
) -> tuple[Agent, Approval | None]:
    actor.require_company(company_id)
    company = await get_company(session, actor, company_id)
    await _may_hire(session, actor, company_id)
    needs_approval = company.require_board_approval_for_new_agents or actor.is_agent
    agent = await insert_agent(
        session,
        actor,
        company_id,
        body,
        status="pending_approval" if needs_approval else "idle",
        now=now,
        strict_secrets=strict_secrets,
    )
    if not needs_approval:
        return agent, None
    payload = {
        "agentId": str(agent.id),
        "name": agent.name,
        "role": agent.role,
        "title": agent.title,
        "icon": agent.icon,
        "reportsTo": uid(agent.reports_to),
        "capabilities": agent.capabilities,
        "adapterType": agent.adapter_type,
        "adapterConfig": redact_adapter_config(agent.adapter_config),
        "runtimeConfig": redact(agent.runtime_config or {}),
        "budgetMonthlyCents": agent.budget_monthly_cents,
        "metadata": agent.metadata_ or {},
        "requestedByAgentId": uid(actor.agent_id),
    }
    approval = Approval(
        id=uuid.uuid4(),
        company_id=company_id,
        type="hire_agent",
        status="pending",
        payload=payload,
        requested_by_agent_id=actor.agent_id,
        requested_by_user_id=actor.user_id if actor.is_board else None,
        created_at=now,
        updated_at=now,
    )
    session.add(approval)
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="approval.created",
        entity_type="approval",
        entity_id=approval.id,
        details={"type": "hire_agent", "agentId": str(agent.id)},
    )
    return agent, approval

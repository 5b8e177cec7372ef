"""Recording a cost event: validate, insert, recompute the month's spend, enforce budgets — one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.costs.budgets import enforce_after_cost_event, lock_agent, lock_company, month_window
from paperclip.costs.schemas import CostEventCreate, cost_event_to_wire
from paperclip.db.models import Agent, Company, CostEvent, Goal, HeartbeatRun, Issue, Project
from paperclip.errors import Forbidden, NotFound, Unprocessable

INT32_MAX = 2_147_483_647


async def check_references(session: AsyncSession, company_id: uuid.UUID, body: CostEventCreate | Any) -> None:
    """issueId/projectId/goalId/heartbeatRunId of a cost or finance event name rows of its company."""
    refs = [("issueId", Issue, body.issueId, "Issue"), ("projectId", Project, body.projectId, "Project"),
            ("goalId", Goal, body.goalId, "Goal"), ("heartbeatRunId", HeartbeatRun, body.heartbeatRunId, "Heartbeat run")]
    present = [(field, model, value, label) for field, model, value, label in refs if value is not None]
    if not present:
        return
    columns = [sa.select(model.company_id).where(model.id == value).scalar_subquery() for _, model, value, _ in present]
    owners = (await session.execute(sa.select(*columns))).one()
    for (_field, _model, _value, label), owner in zip(present, owners, strict=True):
        if owner is None:
            raise NotFound(f"{label} not found")
        if owner != company_id:
            raise Unprocessable(f"{label} does not belong to company")


def _recompute(table, key_column, key: uuid.UUID, spend_filter, window: tuple[datetime, datetime]):
    """UPDATE … SET spent_monthly_cents = <the window's exact sum> … RETURNING the budget fields."""
    total = (
        sa.select(sa.func.least(sa.func.coalesce(sa.func.sum(CostEvent.cost_cents), 0), INT32_MAX))
        .where(spend_filter, CostEvent.occurred_at >= window[0], CostEvent.occurred_at < window[1])
        .scalar_subquery()
    )
    return sa.update(table).where(key_column == key).values(spent_monthly_cents=total).returning(table.spent_monthly_cents)


async def create_cost_event(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: CostEventCreate, now: datetime
) -> dict[str, Any]:
    actor.require_company(company_id)
    if actor.is_agent and body.agentId != actor.agent_id:
        raise Forbidden("Agent can only report its own costs")
    agent_company = await lock_agent(session, body.agentId)  # lock order: agent, then company
    if agent_company is None:
        if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
            raise NotFound("Company not found")
        raise NotFound("Agent not found")
    if agent_company != company_id:
        if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
            raise NotFound("Company not found")
        raise Unprocessable("Agent does not belong to company")
    await lock_company(session, company_id)
    await check_references(session, company_id, body)

    event = (await session.scalars(sa.insert(CostEvent).values(
        id=uuid.uuid4(), company_id=company_id, agent_id=body.agentId, issue_id=body.issueId, project_id=body.projectId,
        goal_id=body.goalId, heartbeat_run_id=body.heartbeatRunId, billing_code=body.billingCode,
        provider=body.provider, biller=body.biller or body.provider, billing_type=body.billingType, model=body.model,
        input_tokens=body.inputTokens, cached_input_tokens=body.cachedInputTokens, output_tokens=body.outputTokens,
        cost_cents=body.costCents, occurred_at=body.occurredAt, created_at=now,
    ).returning(CostEvent))).one()

    window = month_window(now)
    agent_spent = await session.scalar(_recompute(Agent, Agent.id, body.agentId, CostEvent.agent_id == body.agentId, window))
    company_spent = await session.scalar(
        _recompute(Company, Company.id, company_id, CostEvent.company_id == company_id, window))
    await enforce_after_cost_event(session, company_id=company_id, agent_id=body.agentId, project_id=body.projectId,
                                   agent_spent=int(agent_spent or 0), company_spent=int(company_spent or 0), now=now)
    await record(session, actor, company_id=company_id, action="cost.reported", entity_type="cost_event",
                 entity_id=event.id, details={"model": event.model, "costCents": event.cost_cents})
    return cost_event_to_wire(event, body.costStatus)

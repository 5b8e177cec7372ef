"""Recording a cost event: validate, insert, recompute the month's spend, enforce budgets — one
transaction. Two ways in: a request's body (`create_cost_event`) and a finished run's usage
(`record_run_cost`, from heartbeat/finalize.py); both end in `_record`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import ActivityActor, actor_activity, record_as
from paperclip.auth.actor import Actor
from paperclip.costs.budgets import enforce_after_cost_event, lock_agent, lock_company, month_window
from paperclip.costs.schemas import CostEventCreate, cost_event_to_wire
from paperclip.db.models import Agent, Company, CostEvent, Goal, HeartbeatRun, Issue, Project
from paperclip.errors import Forbidden, NotFound, Unprocessable
from paperclip.ids import path_uuid

INT32_MAX = 2_147_483_647


async def check_references(session: AsyncSession, company_id: uuid.UUID, body: CostEventCreate | Any) -> None:
    """issueId/projectId/goalId/heartbeatRunId of a cost or finance event name rows of its company."""
    refs = [
        ("issueId", Issue, body.issueId, "Issue"),
        ("projectId", Project, body.projectId, "Project"),
        ("goalId", Goal, body.goalId, "Goal"),
        ("heartbeatRunId", HeartbeatRun, body.heartbeatRunId, "Heartbeat run"),
    ]
    present = [(field, model, value, label) for field, model, value, label in refs if value is not None]
    if not present:
        return
    columns = [
        sa.select(model.company_id).where(model.id == value).scalar_subquery()
        for _, model, value, _ in present
    ]
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
    return (
        sa.update(table)
        .where(key_column == key)
        .values(spent_monthly_cents=total)
        .returning(table.spent_monthly_cents)
    )


@dataclass(frozen=True)
class CostInput:
    """A cost event's values once validated: from a request body (`from_body`) or from inside the
    server (a finished run's usage, `record_run_cost`)."""

    agent_id: uuid.UUID
    provider: str
    model: str
    occurred_at: datetime
    biller: str | None = None
    billing_type: str = "unknown"
    cost_status: str = "reported"
    issue_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    goal_id: uuid.UUID | None = None
    heartbeat_run_id: uuid.UUID | None = None
    billing_code: str | None = None
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_cents: int = 0

    @classmethod
    def from_body(cls, body: CostEventCreate) -> CostInput:
        return cls(
            agent_id=body.agentId,
            provider=body.provider,
            model=body.model,
            occurred_at=body.occurredAt,
            biller=body.biller,
            billing_type=body.billingType,
            cost_status=body.costStatus,
            issue_id=body.issueId,
            project_id=body.projectId,
            goal_id=body.goalId,
            heartbeat_run_id=body.heartbeatRunId,
            billing_code=body.billingCode,
            input_tokens=body.inputTokens,
            cached_input_tokens=body.cachedInputTokens,
            output_tokens=body.outputTokens,
            cost_cents=body.costCents,
        )


async def create_cost_event(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: CostEventCreate, now: datetime
) -> dict[str, Any]:
    """POST /companies/:id/cost-events."""
    actor.require_company(company_id)
    if actor.is_agent and body.agentId != actor.agent_id:
        raise Forbidden("Agent can only report its own costs")
    await _lock_agent_and_company(session, company_id, body.agentId)
    await check_references(session, company_id, body)
    event = await _record(
        session, company_id, CostInput.from_body(body), now=now, activity=actor_activity(actor)
    )
    return cost_event_to_wire(event, body.costStatus)


async def record_run_cost(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    run_id: uuid.UUID,
    issue_id: uuid.UUID | None,
    provider: str,
    model: str,
    biller: str | None = None,
    billing_type: str | None = None,
    input_tokens: int = 0,
    cached_input_tokens: int = 0,
    output_tokens: int = 0,
    cents: int = 0,
    priced: bool = True,
    now: datetime,
) -> uuid.UUID:
    """A finished run's usage and cost become a cost event linked to the run (core §6.6, §8), in the
    run's ending transaction: month spend is recomputed and the budget policies evaluated there — a
    run that crosses a hard stop pauses the agent and cancels its other queued work right away. The
    activity entry names the run's agent and the run. The issue's project, goal and billing code
    come with it (an issue of another company is ignored)."""
    project_id = goal_id = billing_code = None
    if issue_id is not None:
        found = (
            await session.execute(
                sa.select(Issue.project_id, Issue.goal_id, Issue.billing_code).where(
                    Issue.id == issue_id, Issue.company_id == company_id
                )
            )
        ).first()
        if found is None:
            issue_id = None
        else:
            project_id, goal_id, billing_code = found
    await _lock_agent_and_company(session, company_id, agent_id)
    cost = CostInput(
        agent_id=agent_id,
        provider=provider,
        model=model or "unknown",
        occurred_at=now,
        biller=biller or provider,
        billing_type=billing_type or "unknown",
        cost_status="reported" if priced else "unpriced",
        issue_id=issue_id,
        project_id=project_id,
        goal_id=goal_id,
        heartbeat_run_id=run_id,
        billing_code=billing_code,
        input_tokens=input_tokens,
        cached_input_tokens=cached_input_tokens,
        output_tokens=output_tokens,
        cost_cents=cents,
    )
    activity = ActivityActor(type="agent", id=str(agent_id), agent_id=agent_id, run_id=run_id)
    return (await _record(session, company_id, cost, now=now, activity=activity)).id


async def _lock_agent_and_company(session: AsyncSession, company_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    agent_company = await lock_agent(session, agent_id)  # lock order: agent, then company
    if agent_company is None:
        if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
            raise NotFound("Company not found")
        raise NotFound("Agent not found")
    if agent_company != company_id:
        if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
            raise NotFound("Company not found")
        raise Unprocessable("Agent does not belong to company")
    await lock_company(session, company_id)


async def _record(
    session: AsyncSession, company_id: uuid.UUID, cost: CostInput, *, now: datetime, activity: ActivityActor
) -> CostEvent:
    """Insert the event, recompute the month's spend, enforce budgets, log it (agent and company locked)."""
    event = (
        await session.scalars(
            sa.insert(CostEvent)
            .values(
                id=uuid.uuid4(),
                company_id=company_id,
                agent_id=cost.agent_id,
                issue_id=cost.issue_id,
                project_id=cost.project_id,
                goal_id=cost.goal_id,
                heartbeat_run_id=cost.heartbeat_run_id,
                billing_code=cost.billing_code,
                provider=cost.provider,
                biller=cost.biller or cost.provider,
                billing_type=cost.billing_type,
                model=cost.model,
                input_tokens=cost.input_tokens,
                cached_input_tokens=cost.cached_input_tokens,
                output_tokens=cost.output_tokens,
                cost_cents=cost.cost_cents,
                occurred_at=cost.occurred_at,
                created_at=now,
            )
            .returning(CostEvent)
        )
    ).one()

    window = month_window(now)
    agent_spent = await session.scalar(
        _recompute(Agent, Agent.id, cost.agent_id, CostEvent.agent_id == cost.agent_id, window)
    )
    company_spent = await session.scalar(
        _recompute(Company, Company.id, company_id, CostEvent.company_id == company_id, window)
    )
    await enforce_after_cost_event(
        session,
        company_id=company_id,
        agent_id=cost.agent_id,
        project_id=cost.project_id,
        agent_spent=int(agent_spent or 0),
        company_spent=int(company_spent or 0),
        now=now,
    )
    await record_as(
        session,
        activity,
        company_id=company_id,
        action="cost.reported",
        entity_type="cost_event",
        entity_id=event.id,
        details={"model": event.model, "costCents": event.cost_cents},
    )
    return event


async def company_in_scope(session: AsyncSession, actor: Actor, raw_id: str) -> uuid.UUID:
    """Parse the path id, check the actor may see the company, and that it exists."""
    company_id = path_uuid(raw_id, "Company not found")
    actor.require_company(company_id)
    if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
        raise NotFound("Company not found")
    return company_id

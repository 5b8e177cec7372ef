"""A run's usage and cost become a cost event linked to the run, so budgets apply (core §6.6, §8).

The event is written like `POST /companies/:id/cost-events` writes one: the company row is locked
(cost events of a company are serialised), month spend is recomputed for the agent and the company,
and the governance feature's `enforce_after_cost_event` evaluates the policies — a run that crosses a
hard stop pauses the agent and cancels its other queued work in this same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent, Company, CostEvent, Issue


def cost_cents(cost_usd: float | None) -> int:
    if not cost_usd or cost_usd < 0:
        return 0
    return int(round(cost_usd * 100))


async def record_run_cost(
    session: AsyncSession, *, company_id: uuid.UUID, agent_id: uuid.UUID, run_id: uuid.UUID,
    issue_id: uuid.UUID | None, provider: str, model: str, biller: str | None = None, billing_type: str | None = None,
    input_tokens: int = 0, cached_input_tokens: int = 0, output_tokens: int = 0, cents: int = 0, now: datetime,
) -> uuid.UUID:
    await session.execute(sa.select(Company.id).where(Company.id == company_id).with_for_update())
    project_id = goal_id = billing_code = None
    if issue_id is not None:
        found = (await session.execute(sa.select(Issue.project_id, Issue.goal_id, Issue.billing_code)
                                       .where(Issue.id == issue_id, Issue.company_id == company_id))).first()
        if found is None:
            issue_id = None
        else:
            project_id, goal_id, billing_code = found
    event_id = uuid.uuid4()
    await session.execute(sa.insert(CostEvent).values(
        id=event_id, company_id=company_id, agent_id=agent_id, issue_id=issue_id, project_id=project_id, goal_id=goal_id,
        heartbeat_run_id=run_id, billing_code=billing_code, provider=provider, biller=biller or provider,
        billing_type=billing_type or "unknown", model=model or "unknown", input_tokens=input_tokens,
        cached_input_tokens=cached_input_tokens, output_tokens=output_tokens, cost_cents=cents, occurred_at=now,
        created_at=now))
    from paperclip.costs import budgets

    month_start, month_end = budgets.month_window(now)
    spend = sa.select(sa.func.coalesce(sa.func.sum(CostEvent.cost_cents), 0)).where(
        CostEvent.company_id == company_id, CostEvent.occurred_at >= month_start, CostEvent.occurred_at < month_end)
    company_spent = int(await session.scalar(spend) or 0)
    agent_spent = int(await session.scalar(spend.where(CostEvent.agent_id == agent_id)) or 0)
    await session.execute(sa.update(Agent).where(Agent.id == agent_id).values(spent_monthly_cents=agent_spent))
    await session.execute(sa.update(Company).where(Company.id == company_id).values(spent_monthly_cents=company_spent))
    await budgets.enforce_after_cost_event(session, company_id=company_id, agent_id=agent_id, project_id=project_id,
                                           agent_spent=agent_spent, company_spent=company_spent, now=now)
    return event_id

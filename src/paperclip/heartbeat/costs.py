"""A run's usage and cost become a cost event linked to the run, so budgets apply (core §6.6, §8).

The event goes through the governance feature's `costs.service.create_cost_event`, reported on
behalf of the run's agent: the company row is locked, month spend is recomputed and the budget
policies are evaluated in the run's finalising transaction — a run that crosses a hard stop pauses
the agent and cancels its other queued work right there.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.costs.schemas import CostEventCreate
from paperclip.costs.service import create_cost_event
from paperclip.db.models import Issue


def cost_cents(cost_usd: float | None) -> int:
    if not cost_usd or cost_usd < 0:
        return 0
    return int(round(cost_usd * 100))


async def record_run_cost(
    session: AsyncSession, *, company_id: uuid.UUID, agent_id: uuid.UUID, run_id: uuid.UUID,
    issue_id: uuid.UUID | None, provider: str, model: str, biller: str | None = None, billing_type: str | None = None,
    input_tokens: int = 0, cached_input_tokens: int = 0, output_tokens: int = 0, cents: int = 0,
    priced: bool = True, now: datetime,
) -> uuid.UUID:
    project_id = goal_id = billing_code = None
    if issue_id is not None:
        found = (await session.execute(sa.select(Issue.project_id, Issue.goal_id, Issue.billing_code)
                                       .where(Issue.id == issue_id, Issue.company_id == company_id))).first()
        if found is None:
            issue_id = None
        else:
            project_id, goal_id, billing_code = found
    body = CostEventCreate.model_validate({
        "agentId": agent_id, "issueId": issue_id, "projectId": project_id, "goalId": goal_id, "heartbeatRunId": run_id,
        "billingCode": billing_code, "provider": provider, "biller": biller or provider,
        "billingType": billing_type or "unknown", "costStatus": "reported" if priced else "unpriced",
        "model": model or "unknown", "inputTokens": input_tokens, "cachedInputTokens": cached_input_tokens,
        "outputTokens": output_tokens, "costCents": cents, "occurredAt": now,
    })
    reporter = Actor(type="agent", source="agent_jwt", agent_id=agent_id, company_id=company_id, run_id=run_id)
    event = await create_cost_event(session, reporter, company_id, body, now)
    return uuid.UUID(str(event["id"]))

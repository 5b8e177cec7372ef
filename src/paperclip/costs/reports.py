"""Cost reports over a date range (`?from=&to=`, inclusive; default: the current UTC month)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.costs import queries
from paperclip.costs.budgets import month_window, percent
from paperclip.db.models import Agent, Company, CostEvent, Project
from paperclip.errors import BadRequest, NotFound

SUBSCRIPTION = "subscription_included"


def parse_bound(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        if len(value) > 64:
            raise ValueError
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"invalid '{name}' date") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def range_filter(start: str | None, end: str | None, now: datetime) -> list[Any]:
    lo, hi = parse_bound(start, "from"), parse_bound(end, "to")
    if lo is None and hi is None:
        ms, me = month_window(now)
        return [CostEvent.occurred_at >= ms, CostEvent.occurred_at < me]
    conditions = []
    if lo is not None:
        conditions.append(CostEvent.occurred_at >= lo)
    if hi is not None:
        conditions.append(CostEvent.occurred_at <= hi)
    return conditions


def _sums(subscription_split: bool) -> list[Any]:
    s = sa.func.sum
    cols = [
        sa.func.coalesce(s(CostEvent.cost_cents), 0).label("costCents"),
        sa.func.coalesce(s(CostEvent.input_tokens), 0).label("inputTokens"),
        sa.func.coalesce(s(CostEvent.cached_input_tokens), 0).label("cachedInputTokens"),
        sa.func.coalesce(s(CostEvent.output_tokens), 0).label("outputTokens"),
    ]
    if subscription_split:
        sub = CostEvent.billing_type == SUBSCRIPTION
        cols += [
            sa.func.count(sa.distinct(CostEvent.heartbeat_run_id)).filter(sa.not_(sub)).label("apiRunCount"),
            sa.func.count(sa.distinct(CostEvent.heartbeat_run_id)).filter(sub).label("subscriptionRunCount"),
            sa.func.coalesce(s(CostEvent.cached_input_tokens).filter(sub), 0).label(
                "subscriptionCachedInputTokens"
            ),
            sa.func.coalesce(s(CostEvent.input_tokens).filter(sub), 0).label("subscriptionInputTokens"),
            sa.func.coalesce(s(CostEvent.output_tokens).filter(sub), 0).label("subscriptionOutputTokens"),
        ]
    return cols


def _rows(result) -> list[dict[str, Any]]:
    out = []
    for row in result.mappings():
        item = {
            k: (str(v) if isinstance(v, uuid.UUID) else int(v) if isinstance(v, int) else v)
            for k, v in row.items()
        }
        out.append(item)
    return out


async def summary(session: AsyncSession, company_id: uuid.UUID, start, end, now: datetime) -> dict[str, Any]:
    spend_q = (
        sa.select(sa.func.coalesce(sa.func.sum(CostEvent.cost_cents), 0))
        .where(CostEvent.company_id == company_id, *range_filter(start, end, now))
        .scalar_subquery()
    )
    row = (
        await session.execute(
            sa.select(Company.budget_monthly_cents, spend_q).where(Company.id == company_id)
        )
    ).first()
    if row is None:
        raise NotFound("Company not found")
    budget, spend = int(row[0]), int(row[1])
    return {
        "companyId": str(company_id),
        "spendCents": spend,
        "budgetCents": budget,
        "utilizationPercent": percent(spend, budget),
    }


async def by_agent(
    session: AsyncSession, company_id: uuid.UUID, start, end, now: datetime
) -> list[dict[str, Any]]:
    stmt = (
        sa.select(
            Agent.id.label("agentId"),
            Agent.name.label("agentName"),
            Agent.status.label("agentStatus"),
            *_sums(True),
        )
        .join(Agent, Agent.id == CostEvent.agent_id)
        .where(CostEvent.company_id == company_id, *range_filter(start, end, now))
        .group_by(Agent.id)
        .order_by(sa.desc("costCents"), Agent.name)
    )
    return _rows(await session.execute(stmt))


async def by_agent_model(
    session: AsyncSession, company_id: uuid.UUID, start, end, now: datetime
) -> list[dict[str, Any]]:
    stmt = (
        sa.select(
            Agent.id.label("agentId"),
            Agent.name.label("agentName"),
            CostEvent.provider.label("provider"),
            CostEvent.biller.label("biller"),
            CostEvent.billing_type.label("billingType"),
            CostEvent.model.label("model"),
            *_sums(False),
        )
        .join(Agent, Agent.id == CostEvent.agent_id)
        .where(CostEvent.company_id == company_id, *range_filter(start, end, now))
        .group_by(Agent.id, CostEvent.provider, CostEvent.biller, CostEvent.billing_type, CostEvent.model)
        .order_by(Agent.name, sa.desc("costCents"))
    )
    return _rows(await session.execute(stmt))


async def by_provider(
    session: AsyncSession, company_id: uuid.UUID, start, end, now: datetime
) -> list[dict[str, Any]]:
    stmt = (
        sa.select(
            CostEvent.provider.label("provider"),
            CostEvent.biller.label("biller"),
            CostEvent.billing_type.label("billingType"),
            CostEvent.model.label("model"),
            *_sums(True),
        )
        .where(CostEvent.company_id == company_id, *range_filter(start, end, now))
        .group_by(CostEvent.provider, CostEvent.biller, CostEvent.billing_type, CostEvent.model)
        .order_by(sa.desc("costCents"), CostEvent.provider, CostEvent.model)
    )
    return _rows(await session.execute(stmt))


async def by_project(
    session: AsyncSession, company_id: uuid.UUID, start, end, now: datetime
) -> list[dict[str, Any]]:
    stmt = (
        sa.select(Project.id.label("projectId"), Project.name.label("projectName"), *_sums(False))
        .join(Project, Project.id == CostEvent.project_id)
        .where(CostEvent.company_id == company_id, *range_filter(start, end, now))
        .group_by(Project.id)
        .order_by(sa.desc("costCents"), Project.name)
    )
    return _rows(await session.execute(stmt))


REPORTS = {
    "by-agent": by_agent,
    "by-agent-model": by_agent_model,
    "by-provider": by_provider,
    "by-project": by_project,
}


async def issue_summary(session: AsyncSession, issue_id: uuid.UUID, company_id: uuid.UUID) -> dict[str, Any]:
    """Spend on an issue and its descendants (GET /issues/{id}/cost-summary)."""
    row = await queries.ISSUE_TREE_SPEND.fetchrow(session, iid=issue_id, cid=company_id)
    assert row is not None  # aggregates without GROUP BY always answer one row
    return {
        "issueId": str(issue_id),
        "issueCount": row["issue_count"],
        "includeDescendants": True,
        "costCents": int(row["cost"]),
        "inputTokens": int(row["input"]),
        "cachedInputTokens": int(row["cached"]),
        "outputTokens": int(row["output"]),
        "runCount": row["runs"],
        "runtimeMs": int(row["runtime"]),
    }

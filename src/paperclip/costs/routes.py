"""Cost events, cost reports and budgets (policies, incidents, the simple monthly fields)."""

from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import Query
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.api.deps import DB, ActorDep, Now
from paperclip.auth.actor import Actor
from paperclip.costs import budget_overview, budgets, finance, reports, service
from paperclip.costs.schemas import (
    BudgetAmount,
    BudgetPolicyUpsert,
    CostEventCreate,
    IncidentResolve,
    path_id,
)
from paperclip.db.models import Agent, Company
from paperclip.errors import NotFound
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["costs"])
COMPANY_NOT_FOUND = "Company not found"
From = Annotated[str | None, Query(alias="from", max_length=64)]
To = Annotated[str | None, Query(alias="to", max_length=64)]


async def company_in_scope(session: AsyncSession, actor: Actor, raw_id: str) -> uuid.UUID:
    """Parse the path id, check the actor may see the company, and that it exists."""
    company_id = path_id(raw_id, COMPANY_NOT_FOUND)
    actor.require_company(company_id)
    if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
        raise NotFound(COMPANY_NOT_FOUND)
    return company_id


@router.post("/companies/{company_id}/cost-events", status_code=201)
async def create_cost_event(company_id: str, body: CostEventCreate, session: DB, actor: ActorDep, now: Now):
    cid = path_id(company_id, COMPANY_NOT_FOUND)
    return await service.create_cost_event(session, actor, cid, body, now)


@router.get("/companies/{company_id}/costs/summary")
async def cost_summary(
    company_id: str, session: DB, actor: ActorDep, now: Now, start: From = None, end: To = None
):
    cid = path_id(company_id, COMPANY_NOT_FOUND)
    actor.require_company(cid)
    return await reports.summary(session, cid, start, end, now)


def _report_route(name: str):
    report = reports.REPORTS[name]

    async def handler(
        company_id: str, session: DB, actor: ActorDep, now: Now, start: From = None, end: To = None
    ):
        cid = await company_in_scope(session, actor, company_id)
        return await report(session, cid, start, end, now)

    handler.__name__ = "cost_report_" + name.replace("-", "_")
    router.add_api_route(f"/companies/{{company_id}}/costs/{name}", handler, methods=["GET"])


for _name in reports.REPORTS:
    _report_route(_name)


@router.get("/companies/{company_id}/budgets/overview")
async def get_budget_overview(company_id: str, session: DB, actor: ActorDep, now: Now):
    cid = await company_in_scope(session, actor, company_id)
    return await budget_overview.overview(session, cid, now)


@router.post("/companies/{company_id}/budgets/policies")
async def upsert_policy(company_id: str, body: BudgetPolicyUpsert, session: DB, actor: ActorDep, now: Now):
    actor.require_board()
    cid = await company_in_scope(session, actor, company_id)
    policy = await budgets.upsert_budget_policy(
        session,
        actor,
        cid,
        body.scopeType,
        body.scopeId,
        body.amount,
        now=now,
        window_kind=body.windowKind,
        warn_percent=body.warnPercent,
        hard_stop_enabled=body.hardStopEnabled,
        notify_enabled=body.notifyEnabled,
        is_active=body.isActive,
    )
    return await budget_overview.policy_overview(session, policy.id, cid, now)


@router.patch("/companies/{company_id}/budgets")
async def set_company_budget(company_id: str, body: BudgetAmount, session: DB, actor: ActorDep, now: Now):
    from paperclip.companies.schemas import company_to_wire

    actor.require_board()
    cid = await company_in_scope(session, actor, company_id)
    await session.execute(
        sa.update(Company)
        .where(Company.id == cid)
        .values(budget_monthly_cents=body.budgetMonthlyCents, updated_at=now)
    )
    await record(
        session,
        actor,
        company_id=cid,
        action="company.budget_updated",
        entity_type="company",
        entity_id=cid,
        details={"budgetMonthlyCents": body.budgetMonthlyCents},
    )
    await budgets.upsert_budget_policy(session, actor, cid, "company", cid, body.budgetMonthlyCents, now=now)
    company = await session.scalar(
        sa.select(Company).where(Company.id == cid).execution_options(populate_existing=True)
    )
    return company_to_wire(company)


@router.patch("/agents/{agent_id}/budgets")
async def set_agent_budget(agent_id: str, body: BudgetAmount, session: DB, actor: ActorDep, now: Now):
    from paperclip.agents.schemas import agent_to_wire

    aid = path_id(agent_id, "Agent not found")
    actor.require_board()
    company_id = await session.scalar(sa.select(Agent.company_id).where(Agent.id == aid))
    if company_id is None:
        raise NotFound("Agent not found")
    actor.require_company(company_id)
    await session.execute(
        sa.update(Agent)
        .where(Agent.id == aid)
        .values(budget_monthly_cents=body.budgetMonthlyCents, updated_at=now)
    )
    await record(
        session,
        actor,
        company_id=company_id,
        action="agent.budget_updated",
        entity_type="agent",
        entity_id=aid,
        details={"budgetMonthlyCents": body.budgetMonthlyCents},
    )
    await budgets.upsert_budget_policy(
        session, actor, company_id, "agent", aid, body.budgetMonthlyCents, now=now
    )
    agent = await session.scalar(
        sa.select(Agent).where(Agent.id == aid).execution_options(populate_existing=True)
    )
    return agent_to_wire(agent)


@router.post("/companies/{company_id}/budget-incidents/{incident_id}/resolve")
async def resolve_incident(
    company_id: str, incident_id: str, body: IncidentResolve, session: DB, actor: ActorDep, now: Now
):
    actor.require_board()
    body.check()
    cid = await company_in_scope(session, actor, company_id)
    iid = path_id(incident_id, "Budget incident not found")
    return await budgets.resolve_incident(
        session,
        actor,
        cid,
        iid,
        action=body.action,
        amount=body.amount,
        decision_note=body.decisionNote,
        now=now,
    )


@router.get("/issues/{issue_id}/cost-summary")
async def issue_cost_summary(issue_id: str, session: DB, actor: ActorDep):
    from paperclip.approvals.links import find_issue

    issue = await find_issue(session, actor, issue_id)
    return await reports.issue_summary(session, issue.id, issue.company_id)


# ------------------------------------------------------------------------ finance events and spend windows


@router.post("/companies/{company_id}/finance-events", status_code=201)
async def create_finance_event(
    company_id: str, body: finance.FinanceEventCreate, session: DB, actor: ActorDep, now: Now
):
    cid = await company_in_scope(session, actor, company_id)
    return await finance.create_finance_event(session, actor, cid, body, now)


@router.get("/companies/{company_id}/costs/finance-events")
async def list_finance_events(
    company_id: str,
    session: DB,
    actor: ActorDep,
    now: Now,
    start: From = None,
    end: To = None,
    limit: int = Query(100, ge=1, le=500),
):
    cid = await company_in_scope(session, actor, company_id)
    return await finance.finance_events(session, cid, start, end, limit, now)


@router.get("/companies/{company_id}/costs/finance-summary")
async def finance_summary(
    company_id: str, session: DB, actor: ActorDep, now: Now, start: From = None, end: To = None
):
    cid = await company_in_scope(session, actor, company_id)
    return await finance.finance_summary(session, cid, start, end, now)


@router.get("/companies/{company_id}/costs/finance-by-biller")
async def finance_by_biller(
    company_id: str, session: DB, actor: ActorDep, now: Now, start: From = None, end: To = None
):
    cid = await company_in_scope(session, actor, company_id)
    return await finance.finance_by(session, cid, "biller", start, end, now)


@router.get("/companies/{company_id}/costs/finance-by-kind")
async def finance_by_kind(
    company_id: str, session: DB, actor: ActorDep, now: Now, start: From = None, end: To = None
):
    cid = await company_in_scope(session, actor, company_id)
    return await finance.finance_by(session, cid, "event_kind", start, end, now)


@router.get("/companies/{company_id}/costs/by-biller")
async def cost_by_biller(
    company_id: str, session: DB, actor: ActorDep, now: Now, start: From = None, end: To = None
):
    cid = await company_in_scope(session, actor, company_id)
    return await finance.cost_by_biller(session, cid, start, end, now)


@router.get("/companies/{company_id}/costs/window-spend")
async def window_spend(company_id: str, session: DB, actor: ActorDep, now: Now):
    cid = await company_in_scope(session, actor, company_id)
    return await finance.window_spend(session, cid, now)


@router.get("/companies/{company_id}/costs/quota-windows")
async def quota_windows(company_id: str, session: DB, actor: ActorDep):
    """Provider subscription quotas, as the provider's own CLI reports them. We run no provider CLI to
    ask (the original shells out to `claude /usage` and codex), so there is no quota source: []."""
    await company_in_scope(session, actor, company_id)
    return []

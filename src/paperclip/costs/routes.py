"""Cost events, cost reports and budgets (policies, incidents, the simple monthly fields)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.costs import budget_overview, budgets, finance, reports, service
from paperclip.costs.schemas import (
    BudgetPolicyUpsert,
    CostEventCreate,
    IncidentResolve,
    path_id,
)
from paperclip.costs.service import company_in_scope
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["costs"])
COMPANY_NOT_FOUND = "Company not found"  # the same message company_in_scope answers
From = Annotated[str | None, Query(alias="from", max_length=64)]
To = Annotated[str | None, Query(alias="to", max_length=64)]


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
    return await budgets.set_policy(session, actor, cid, body, now)


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

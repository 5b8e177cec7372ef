"""Costs: spend by agent, project, provider and model over a date range, spend per day as a chart,
budget policies and open incidents (resolve: raise the budget and resume, or keep paused).

    /<P>/costs?from=2026-12-01&to=2026-12-31
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter

from paperclip.costs import budget_overview, budgets, reports
from paperclip.costs.schemas import IncidentResolve
from paperclip.db.models import Agent, CostEvent, Project
from paperclip.errors import BadRequest, NotFound
from paperclip.web.context import CompanyPage, Page
from paperclip.web.forms import form_data
from paperclip.web.pages.agents import agent_hrefs
from paperclip.web.pages.formkit import WRITE, body, cents, checkbox, field_error, integer, render_page
from paperclip.web.render import done, money
from paperclip.web.svg import bar_chart

router = APIRouter()
MAX_DAYS = 366


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise BadRequest(f"invalid '{name}' date: use YYYY-MM-DD") from None


def date_range(query, now: datetime) -> tuple[date, date]:
    """The inclusive day range of the page: `from`/`to`, else the current UTC month to today."""
    today = now.astimezone(UTC).date()
    start = _day(query.get("from"), "from") or today.replace(day=1)
    end = _day(query.get("to"), "to") or max(today, start)
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
    return start, end


async def daily_spend(page: Page, start: date, end: date) -> list[tuple[str, int]]:
    """Cents spent per UTC day in [start, end], zero days included."""
    lo = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    day = sa.func.date_trunc("day", sa.func.timezone("UTC", CostEvent.occurred_at)).label("day")
    rows = await page.session.execute(
        sa.select(day, sa.func.coalesce(sa.func.sum(CostEvent.cost_cents), 0))
        .where(CostEvent.company_id == page.company.id, CostEvent.occurred_at >= lo, CostEvent.occurred_at < hi)
        .group_by(day))
    by_day = {r[0].date(): int(r[1]) for r in rows}
    days = (end - start).days + 1
    return [((start + timedelta(days=i)).strftime("%m-%d"), by_day.get(start + timedelta(days=i), 0))
            for i in range(days)]


def _bound(d: date, end: bool = False) -> str:
    return (datetime.combine(d, datetime.max.time() if end else datetime.min.time(), tzinfo=UTC)
            .isoformat().replace("+00:00", "Z"))


@router.get("/{prefix}/costs")
async def costs(page: CompanyPage):
    start, end = date_range(page.request.query_params, page.now)
    lo, hi = _bound(start), _bound(end, end=True)
    cid = page.company.id
    session = page.session
    series = await daily_spend(page, start, end)
    chart = bar_chart(series, label="Spend per day", fmt=money)
    overview = await budget_overview.overview(session, cid, page.now)
    agents = list(await session.scalars(sa.select(Agent).where(Agent.company_id == cid, Agent.status != "terminated")
                                        .order_by(Agent.name)))
    projects = list(await session.scalars(sa.select(Project).where(Project.company_id == cid).order_by(Project.name)))
    return await render_page(
        page, "costs/costs.html", start=start, end=end, series_total=sum(v for _, v in series), chart=chart,
        summary=await reports.summary(session, cid, lo, hi, page.now),
        by_agent=await reports.by_agent(session, cid, lo, hi, page.now),
        by_project=await reports.by_project(session, cid, lo, hi, page.now),
        by_provider=await reports.by_provider(session, cid, lo, hi, page.now),
        overview=overview, agents=agents, projects=projects, hrefs={str(k): v for k, v in (await agent_hrefs(page)).items()},
        presets=_presets(page.now))


def _presets(now: datetime) -> list[tuple[str, str, str]]:
    today = now.astimezone(UTC).date()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [("This month", first.isoformat(), today.isoformat()),
            ("Last month", last_month_end.replace(day=1).isoformat(), last_month_end.isoformat()),
            ("Last 14 days", (today - timedelta(days=13)).isoformat(), today.isoformat()),
            ("Last 90 days", (today - timedelta(days=89)).isoformat(), today.isoformat())]


@router.post("/{prefix}/costs/policies", dependencies=WRITE)
async def upsert_policy(page: CompanyPage):
    form = await form_data(page.request)
    scope = form.text("scope")  # company | agent:<id> | project:<id>
    kind, _, raw_id = scope.partition(":")
    try:
        scope_id = page.company.id if kind == "company" else uuid.UUID(raw_id) if kind in ("agent", "project") else None
    except ValueError:
        scope_id = None
    if scope_id is None:
        raise field_error("scope", "Choose what the budget applies to")
    window = form.text("window") or budgets.MONTHLY
    if window not in (budgets.MONTHLY, budgets.LIFETIME):
        raise field_error("window", "Choose monthly or lifetime")
    await budgets.upsert_budget_policy(
        page.session, page.actor, page.company.id, kind, scope_id, cents(form, "amount"), now=page.now,
        window_kind=window, warn_percent=integer(form, "warnPercent", 80, lo=1, hi=100),
        hard_stop_enabled=checkbox(form, "hardStop"))
    return done(page.request, f"/{page.prefix}/costs#budgets")


@router.post("/{prefix}/costs/incidents/{incident_id}/resolve", dependencies=WRITE)
async def resolve_incident(page: CompanyPage, incident_id: str):
    form = await form_data(page.request)
    action = form.text("action")
    data: dict[str, Any] = {"action": action, "decisionNote": form.text("note") or None}
    if action == "raise_budget_and_resume":
        data["amount"] = cents(form, "amount", default=-1)
        if data["amount"] < 0:
            raise field_error("amount", "Enter the new budget")
    resolve = body(IncidentResolve, data)
    try:
        iid = uuid.UUID(incident_id)
    except ValueError:
        raise NotFound("Budget incident not found") from None
    await budgets.resolve_incident(page.session, page.actor, page.company.id, iid, action=resolve.action,
                                   amount=resolve.amount, decision_note=resolve.decisionNote, now=page.now)
    return done(page.request, f"/{page.prefix}/costs#incidents")

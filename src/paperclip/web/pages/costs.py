"""Costs: spend by agent, project, provider and model over a date range, spend per day as a chart,
budget policies and open incidents (resolve: raise the budget and resume, or keep paused).

    /<P>/costs?from=2026-12-01&to=2026-12-31
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter

from paperclip.agents.schemas import url_key
from paperclip.costs import budget_overview, budgets
from paperclip.costs.budgets import percent
from paperclip.costs.schemas import IncidentResolve
from paperclip.errors import BadRequest, NotFound
from paperclip.web import queries
from paperclip.web.context import CompanyPage, Page
from paperclip.web.forms import form_data
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


def _sums(r: dict, split: bool) -> dict[str, Any]:
    out = {
        "costCents": int(r["cost"]),
        "inputTokens": int(r["input"]),
        "cachedInputTokens": int(r["cached"]),
        "outputTokens": int(r["output"]),
    }
    if split:
        out.update(
            apiRunCount=int(r["api_runs"]),
            subscriptionRunCount=int(r["sub_runs"]),
            subscriptionCachedInputTokens=int(r["sub_cached"]),
            subscriptionInputTokens=int(r["sub_input"]),
            subscriptionOutputTokens=int(r["sub_output"]),
        )
    return out


async def report(page: Page, start: date, end: date) -> dict[str, Any]:
    """Spend in [start, end] (UTC days, inclusive): `total`, `daily` [(MM-DD, cents)] with zero days,
    `by_agent`, `by_project`, `by_provider` (the shapes of paperclip.costs.reports)."""
    lo = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    rows = await queries.COST_REPORT.fetch(page.session, cid=page.company.id, lo=lo, hi=hi)
    total, by_day, by_agent, by_project, by_provider = 0, {}, [], [], []
    for r in rows:
        if not r["g_day"]:
            by_day[r["day"].date()] = int(r["cost"])
        elif not r["g_agent"]:
            by_agent.append(
                {
                    "agentId": str(r["agent_id"]),
                    "agentName": r["agent_name"] or "an agent",
                    "agentStatus": r["agent_status"],
                    **_sums(r, True),
                }
            )
        elif not r["g_project"]:
            if r["project_id"] is not None:  # spend without a project is not a project's
                by_project.append(
                    {
                        "projectId": str(r["project_id"]),
                        "projectName": r["project_name"] or "a project",
                        **_sums(r, False),
                    }
                )
        elif not r["g_provider"]:
            by_provider.append(
                {
                    "provider": r["provider"],
                    "biller": r["biller"],
                    "billingType": r["billing_type"],
                    "model": r["model"],
                    **_sums(r, True),
                }
            )
        else:
            total = int(r["cost"])
    by_agent.sort(key=lambda x: (-x["costCents"], x["agentName"]))
    by_project.sort(key=lambda x: (-x["costCents"], x["projectName"]))
    by_provider.sort(key=lambda x: (-x["costCents"], x["provider"], x["model"]))
    days = (end - start).days + 1
    daily = [
        ((start + timedelta(days=i)).strftime("%m-%d"), by_day.get(start + timedelta(days=i), 0))
        for i in range(days)
    ]
    return {
        "total": total,
        "daily": daily,
        "by_agent": by_agent,
        "by_project": by_project,
        "by_provider": by_provider,
    }


@router.get("/{prefix}/costs")
async def costs(page: CompanyPage):
    start, end = date_range(page.request.query_params, page.now)
    cid = page.company.id
    figures = await report(page, start, end)
    chart = bar_chart(figures["daily"], label="Spend per day", fmt=money)
    overview = await budget_overview.overview(page.session, cid, page.now)
    names = await queries.AGENT_AND_PROJECT_NAMES.fetch(page.session, cid=cid)
    agents = sorted(
        (
            SimpleNamespace(id=r["id"], name=r["name"], status=r["status"])
            for r in names
            if r["kind"] == "agent"
        ),
        key=lambda a: a.name,
    )
    projects = sorted(
        (SimpleNamespace(id=r["id"], name=r["name"]) for r in names if r["kind"] == "project"),
        key=lambda p: p.name,
    )
    keys = Counter(url_key(a.name) for a in agents)
    hrefs = {
        str(a.id): f"/{page.prefix}/agents/{url_key(a.name) if keys[url_key(a.name)] == 1 else a.id}"
        for a in agents
    }
    budget = page.company.budget_monthly_cents or 0
    summary = {
        "companyId": str(cid),
        "spendCents": figures["total"],
        "budgetCents": budget,
        "utilizationPercent": percent(figures["total"], budget),
    }
    return await render_page(
        page,
        "costs/costs.html",
        start=start,
        end=end,
        series_total=figures["total"],
        chart=chart,
        summary=summary,
        by_agent=figures["by_agent"],
        by_project=figures["by_project"],
        by_provider=figures["by_provider"],
        overview=overview,
        agents=[a for a in agents if a.status != "terminated"],
        projects=projects,
        hrefs=hrefs,
        presets=_presets(page.now),
    )


def _presets(now: datetime) -> list[tuple[str, str, str]]:
    today = now.astimezone(UTC).date()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("This month", first.isoformat(), today.isoformat()),
        ("Last month", last_month_end.replace(day=1).isoformat(), last_month_end.isoformat()),
        ("Last 14 days", (today - timedelta(days=13)).isoformat(), today.isoformat()),
        ("Last 90 days", (today - timedelta(days=89)).isoformat(), today.isoformat()),
    ]


@router.post("/{prefix}/costs/policies", dependencies=WRITE)
async def upsert_policy(page: CompanyPage):
    form = await form_data(page.request)
    scope = form.text("scope")  # company | agent:<id> | project:<id>
    kind, _, raw_id = scope.partition(":")
    try:
        scope_id = (
            page.company.id
            if kind == "company"
            else uuid.UUID(raw_id)
            if kind in ("agent", "project")
            else None
        )
    except ValueError:
        scope_id = None
    if scope_id is None:
        raise field_error("scope", "Choose what the budget applies to")
    window = form.text("window") or budgets.MONTHLY
    if window not in (budgets.MONTHLY, budgets.LIFETIME):
        raise field_error("window", "Choose monthly or lifetime")
    await budgets.upsert_budget_policy(
        page.session,
        page.actor,
        page.company.id,
        kind,
        scope_id,
        cents(form, "amount"),
        now=page.now,
        window_kind=window,
        warn_percent=integer(form, "warnPercent", 80, lo=1, hi=100),
        hard_stop_enabled=checkbox(form, "hardStop"),
    )
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
    await budgets.resolve_incident(
        page.session,
        page.actor,
        page.company.id,
        iid,
        action=resolve.action,
        amount=resolve.amount,
        decision_note=resolve.decisionNote,
        now=page.now,
    )
    return done(page.request, f"/{page.prefix}/costs#incidents")

"""The company dashboard: agents, work, spend vs budget, approvals, live and failed runs, activity,
and 14-day charts (server-drawn SVG). `X-Fragment: 1` answers the body alone (live refresh)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
from fastapi import APIRouter, Request

from paperclip.dashboard.service import RUN_DAYS, dashboard
from paperclip.web import queries
from paperclip.web.activity_text import Names
from paperclip.web.charts import hbar, legend, stacked_bars
from paperclip.web.context import CompanyPage
from paperclip.web.render import is_fragment, render

router = APIRouter()

ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]
STATUS_CSS = {
    "backlog": "c-muted",
    "todo": "c-warn",
    "in_progress": "c-info",
    "in_review": "c-accent",
    "blocked": "c-bad",
    "done": "c-ok",
    "cancelled": "c-muted",
}


async def load(page) -> dict:
    session, cid, now = page.session, page.company.id, page.now.astimezone(UTC)
    data = orjson.loads(await dashboard(session, cid, now))
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    since = today - timedelta(days=RUN_DAYS - 1)
    live = await queries.RECENT_RUNS_WITH_AGENT.fetch(
        session,
        cid=cid,
        statuses=["queued", "running"],
        since=now - timedelta(days=2),
        failed=False,
        lim=10,
    )
    failed = await queries.RECENT_RUNS_WITH_AGENT.fetch(
        session,
        cid=cid,
        statuses=["failed", "timed_out"],
        since=now - timedelta(days=7),
        failed=True,
        lim=5,
    )
    by_status = {r["status"]: r["n"] for r in await queries.ISSUE_COUNTS_BY_STATUS.fetch(session, cid=cid)}
    days = await queries.ISSUES_CREATED_COMPLETED_PER_DAY.fetch(session, cid=cid, since=since, today=today)
    agents = await queries.DASHBOARD_AGENTS.fetch(session, cid=cid)
    names = await Names.load(session, data["recentActivity"])

    run_days = data["runActivity"]
    labels = [d["date"] for d in run_days]
    run_chart = stacked_bars(
        labels,
        [
            ("Succeeded", "c-ok", [d["succeeded"] for d in run_days]),
            ("Failed", "c-bad", [d["failed"] for d in run_days]),
            ("Other", "c-muted", [d["other"] + d["recovered"] for d in run_days]),
        ],
        title="Runs per day, last 14 days",
    )
    rate = [
        round(100 * d["succeeded"] / (d["succeeded"] + d["failed"])) if d["succeeded"] + d["failed"] else 0
        for d in run_days
    ]
    success_chart = stacked_bars(
        labels, [("Success rate", "c-ok", rate)], title="Run success rate per day (%)", percent=True
    )
    work_chart = stacked_bars(
        [d["day"] for d in days],
        [
            ("Created", "c-info", [d["created"] for d in days]),
            ("Completed", "c-ok", [d["completed"] for d in days]),
        ],
        title="Issues created and completed per day, last 14 days",
    )
    status_bar = hbar(
        [(s, STATUS_CSS[s], by_status.get(s, 0)) for s in ISSUE_STATUSES], title="Issues by status"
    )
    costs = data["costs"]
    return {
        "d": data,
        "live_runs": live,
        "failed_runs": failed,
        "by_status": by_status,
        "statuses": ISSUE_STATUSES,
        "status_css": STATUS_CSS,
        "agents": agents,
        "names": names,
        "run_chart": run_chart,
        "success_chart": success_chart,
        "work_chart": work_chart,
        "status_bar": status_bar,
        "run_legend": legend([("Succeeded", "c-ok"), ("Failed", "c-bad"), ("Other", "c-muted")]),
        "work_legend": legend([("Created", "c-info"), ("Completed", "c-ok")]),
        "status_legend": legend([(s.replace("_", " "), STATUS_CSS[s]) for s in ISSUE_STATUSES]),
        "spend_pct": min(100, costs["monthUtilizationPercent"] or 0) if costs["monthBudgetCents"] else 0,
    }


@router.get("/{prefix}/dashboard")
async def dashboard_page(request: Request, page: CompanyPage):
    ctx = await load(page)
    if is_fragment(request):
        return await render(request, "dashboard/_body.html", **ctx)
    return await render(request, "dashboard/index.html", **ctx)

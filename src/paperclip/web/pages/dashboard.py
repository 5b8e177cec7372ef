"""The company dashboard: agents, work, spend vs budget, approvals, live and failed runs, activity,
and 14-day charts (server-drawn SVG). `X-Fragment: 1` answers the body alone (live refresh)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import sqlalchemy as sa
from fastapi import APIRouter, Request

from paperclip.dashboard.service import RUN_DAYS, dashboard
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

_RUNS = sa.text("""
SELECT r.id, r.status, r.agent_id, a.name AS agent_name, r.invocation_source, r.trigger_detail, r.error,
       r.error_code, r.started_at, r.finished_at, r.created_at
  FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
 WHERE r.company_id = :cid AND r.status = ANY(CAST(:statuses AS text[])) AND r.created_at >= :since
   AND (CAST(:failed AS boolean) = false OR r.dismissed_at IS NULL)
 ORDER BY r.created_at DESC LIMIT :lim""")
_ISSUE_STATUS = sa.text("""SELECT status, count(*) AS n FROM issues
 WHERE company_id = :cid AND hidden_at IS NULL GROUP BY status""")
_ISSUE_DAYS = sa.text("""
SELECT d::date::text AS day,
       (SELECT count(*) FROM issues i WHERE i.company_id = :cid AND i.created_at >= d AND i.created_at < d + interval '1 day') AS created,
       (SELECT count(*) FROM issues i WHERE i.company_id = :cid AND i.completed_at >= d AND i.completed_at < d + interval '1 day') AS completed
  FROM generate_series(CAST(:since AS timestamptz), CAST(:today AS timestamptz), interval '1 day') d""")
_AGENTS = sa.text("""SELECT id, name, status, role, title, last_heartbeat_at FROM agents
 WHERE company_id = :cid AND status <> 'terminated'
 ORDER BY CASE status WHEN 'error' THEN 0 WHEN 'running' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END, name LIMIT 12""")


async def load(page) -> dict:
    session, cid, now = page.session, page.company.id, page.now.astimezone(UTC)
    data = orjson.loads(await dashboard(session, cid, now))
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    since = today - timedelta(days=RUN_DAYS - 1)
    live = (
        (
            await session.execute(
                _RUNS,
                {
                    "cid": cid,
                    "statuses": ["queued", "running"],
                    "since": now - timedelta(days=2),
                    "failed": False,
                    "lim": 10,
                },
            )
        )
        .mappings()
        .all()
    )
    failed = (
        (
            await session.execute(
                _RUNS,
                {
                    "cid": cid,
                    "statuses": ["failed", "timed_out"],
                    "since": now - timedelta(days=7),
                    "failed": True,
                    "lim": 5,
                },
            )
        )
        .mappings()
        .all()
    )
    by_status = {r.status: r.n for r in await session.execute(_ISSUE_STATUS, {"cid": cid})}
    days = (await session.execute(_ISSUE_DAYS, {"cid": cid, "since": since, "today": today})).mappings().all()
    agents = (await session.execute(_AGENTS, {"cid": cid})).mappings().all()
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

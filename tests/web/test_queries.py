"""Every statement of paperclip.web.queries runs on both of Sql's paths — the asyncpg read pool (GET
pages: strict parameter types) and a session's own connection (the live streams, any write) — with
the values its callers pass, and both answer the same rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from paperclip.db.rawsql import READ_POOL_KEY, Sql
from paperclip.web import queries
from paperclip.web.pages.inbox import OPEN


async def _both(app, query: Sql, **params) -> list[dict]:
    async with app.state.read_sessions() as session:
        on_session = await query.fetch(session, **params)
    async with app.state.read_sessions() as session:
        session.info[READ_POOL_KEY] = app.state.read_pool
        on_pool = await query.fetch(session, **params)
    assert on_pool == on_session, query.text
    return on_pool


async def test_every_web_statement_runs_on_the_read_pool_and_on_a_session(app, api, factory):
    assert app.state.read_pool is not None
    company = await api.company("Acme")
    cid = uuid.UUID(company["id"])
    agent = await api.agent(company["id"], "Ada")
    issue = await api.issue(company["id"], title="Write the plan")
    issue_id = uuid.UUID(issue["id"])
    await api.cost(company["id"], agent["id"], 125)
    run_id = uuid.UUID(await factory.heartbeat_run(company["id"], agent["id"], status="running"))
    now = datetime.now(UTC)
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    since = now - timedelta(days=1)
    user = ""  # local_trusted's board has no user id: the inbox passes ""

    ran: set[str] = set()

    async def run(name: str, **params) -> list[dict]:
        ran.add(name)
        return await _both(app, getattr(queries, name), **params)

    counts = await run("ISSUE_COUNTS_BY_STATUS", cid=cid)
    assert sum(r["n"] for r in counts) == 1
    for statuses, failed, lim in ((["queued", "running"], False, 10), (["failed", "timed_out"], True, 5)):
        await run("RECENT_RUNS_WITH_AGENT", cid=cid, statuses=statuses, since=since, failed=failed, lim=lim)
    days = await run(
        "ISSUES_CREATED_COMPLETED_PER_DAY", cid=cid, since=today - timedelta(days=13), today=today
    )
    assert len(days) == 14 and days[-1]["created"] == 1
    assert [a["name"] for a in await run("DASHBOARD_AGENTS", cid=cid)] == ["Ada"]
    inbox = {"cid": cid, "user": user, "open": list(OPEN)}
    await run("INBOX_ISSUES", **inbox)
    assert await run("INBOX_BADGE_COUNTS", **inbox) == [{"inbox": 0, "approvals": 0}]
    await run("PENDING_APPROVALS", cid=cid)
    await run("UNDISMISSED_FAILED_RUNS", cid=cid)
    report = await run("COST_REPORT", cid=cid, lo=today, hi=today + timedelta(days=1))
    total = [r for r in report if r["g_agent"] and r["g_project"] and r["g_provider"] and r["g_day"]]
    assert [int(r["cost"]) for r in total] == [125]
    assert {r["kind"] for r in await run("AGENT_AND_PROJECT_NAMES", cid=cid)} == {"agent"}
    activity = await run("ACTIVITY_SINCE", cid=cid, since=since, lim=200)
    assert activity
    runs = await run("RUNS_CHANGED_SINCE", cid=cid, since=since - timedelta(days=1), lim=200)
    assert [r["id"] for r in runs] == [run_id]
    assert [r["id"] for r in await run("RUN_LOG_FILES", cid=cid, ids=[run_id])] == [run_id]
    found = await run("ACTIVITY_BY_IDS", ids=[a["id"] for a in activity], cid=cid)
    assert len(found) == len(activity)
    assert [r["id"] for r in await run("RUNS_WITH_AGENT_BY_IDS", ids=[run_id], cid=cid)] == [run_id]
    assert [r["event_seq"] for r in await run("RUNNING_RUNS", cid=cid)] == [0]
    assert await run("RUN_EVENTS_AFTER", ids=[run_id], seq=0, lim=200) == []

    assert [a["name"] for a in await run("AGENT_NAMES", cid=cid)] == ["Ada"]
    assert [a["name"] for a in await run("AGENTS_FOR_URL_KEY", cid=cid)] == ["Ada"]
    assert await run("ISSUE_COUNTS_BY_PROJECT_AND_STATUS", project_ids=[uuid.uuid4()]) == []
    found = await run("ISSUE_IDS_BY_IDENTIFIER", cid=cid, identifiers=[issue["identifier"]])
    assert [r["id"] for r in found] == [issue_id]
    found = await run("ISSUE_IDENTIFIERS_BY_IDS", ids=[issue_id], cid=cid)
    assert [r["identifier"] for r in found] == [issue["identifier"]]
    assert [r["title"] for r in await run("ISSUE_TITLES_BY_IDS", ids=[issue_id])] == ["Write the plan"]
    assert await run("USER_NAMES_BY_IDS", ids=["nobody"]) == []
    assert await run("APPROVAL_COUNT_IN_STATUSES", cid=cid, statuses=["pending"]) == [{"count": 0}]
    assert await run("LIVE_AGENT_COUNTS_BY_ADAPTER") == [{"adapter_type": agent["adapterType"], "n": 1}]
    assert await run("COMPANY_PREFIX", cid=cid) == [{"issue_prefix": company["issuePrefix"]}]

    statements = {name for name, value in vars(queries).items() if isinstance(value, Sql)}
    assert ran == statements, f"not exercised here: {sorted(statements - ran)}"

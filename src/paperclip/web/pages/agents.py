"""Agent pages: the filtered lists, the new-agent form, agent detail tabs and a run with its live log.

    /<P>/agents[/all|active|paused|error]   /<P>/agents/new
    /<P>/agents/<urlKey>[/overview|configuration|runs|keys|budget]
    /<P>/agents/<urlKey>/runs/<runId>      (+ /log?offset=N: JSON lines for the live log)

Mutations are in `agent_actions.py`.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from paperclip.agents import keys as agent_keys
from paperclip.agents import revisions
from paperclip.agents.hierarchy import chain_of_command
from paperclip.agents.schemas import revision_to_wire, url_key
from paperclip.db.models import Agent, AgentRuntimeState, CostEvent, HeartbeatRun, Issue
from paperclip.db.paging import Window
from paperclip.errors import Forbidden, NotFound
from paperclip.heartbeat import service as heartbeat
from paperclip.heartbeat.policy import heartbeat_policy
from paperclip.heartbeat.runtime import run_log_store
from paperclip.redaction import redact_adapter_config
from paperclip.web import queries
from paperclip.web.context import CompanyPage, Page
from paperclip.web.pages import agent_config_form as cfgform
from paperclip.web.pages import formkit
from paperclip.web.pages.formkit import Page as Pager
from paperclip.web.pages.formkit import render_page
from paperclip.web.render import is_fragment, redirect

router = APIRouter()

FILTERS = {"all": None, "active": ("idle", "running", "active"), "paused": ("paused",), "error": ("error",)}
TABS = ("overview", "configuration", "runs", "keys", "budget")
LIVE = ("queued", "running")
RUNS_PER_PAGE = 25
RUN_FILTERS = {
    "live": ["queued", "running"],
    "failed": ["failed", "timed_out"],
    "succeeded": ["succeeded"],
    "cancelled": ["cancelled"],
}


# ---------------------------------------------------------------- lookups shared with agent_actions


async def agent_hrefs(page: Page) -> dict[uuid.UUID, str]:
    """Every agent's page URL: by URL key, or by id where two agents share a key."""
    rows = await queries.AGENT_NAMES.fetch(page.session, cid=page.company.id)
    keys = {row["id"]: url_key(row["name"]) for row in rows}
    counts = Counter(keys.values())
    return {aid: f"/{page.prefix}/agents/{key if counts[key] == 1 else aid}" for aid, key in keys.items()}


async def find_agent(page: Page, key: str) -> Agent:
    """The company's agent by URL key (live agents first) or id."""
    try:
        agent_id = uuid.UUID(key)
    except ValueError:
        agent_id = None
    if agent_id is not None:
        agent = await page.session.get(Agent, agent_id)
        if agent is None or agent.company_id != page.company.id:
            raise NotFound("Agent not found")
        return agent
    wanted = url_key(key)
    for row in await queries.AGENTS_FOR_URL_KEY.fetch(page.session, cid=page.company.id):
        if url_key(row["name"]) == wanted:
            agent = await page.session.get(Agent, row["id"])
            assert agent is not None
            return agent
    raise NotFound("Agent not found")


def parse_log(content: str, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Complete NDJSON lines of a log page → (lines, the byte offset after the last complete line)."""
    data = content.encode("utf-8")
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    lines = []
    for raw in data[: end + 1].decode("utf-8", "replace").splitlines():
        try:
            item = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict):
            lines.append(
                {
                    "ts": item.get("ts"),
                    "stream": item.get("stream") or "stdout",
                    "chunk": str(item.get("chunk", "")),
                    "seq": item.get("seq"),
                }
            )
    return lines, offset + end + 1


async def read_log(request: Request, run: HeartbeatRun, offset: int, limit: int = 256_000) -> dict[str, Any]:
    ref = run.log_ref or (
        f"{run.company_id}/{run.agent_id}/{run.id}.ndjson" if run.status == "running" else None
    )
    if ref is None:
        return {"lines": [], "offset": offset, "more": False}
    page = run_log_store(request).read(ref, offset, limit)
    lines, next_offset = parse_log(page.content, offset)
    return {"lines": lines, "offset": next_offset, "more": page.next_offset is not None}


# ---------------------------------------------------------------- lists


@router.get("/{prefix}/agents")
async def agents_root(page: CompanyPage):
    return redirect(f"/{page.prefix}/agents/all")


async def _agent_list(page: CompanyPage, which: str):
    agents = list(
        await page.session.scalars(
            sa.select(Agent)
            .where(Agent.company_id == page.company.id, Agent.status != "terminated")
            .order_by(Agent.created_at, Agent.id)
        )
    )
    counts = {
        name: sum(1 for a in agents if statuses is None or a.status in statuses)
        for name, statuses in FILTERS.items()
    }
    statuses = FILTERS[which]
    shown = [a for a in agents if statuses is None or a.status in statuses]
    pager = Pager.of(page.request, 50)
    rows, has_next = pager.window(shown[pager.offset : pager.offset + pager.fetch])
    names = {a.id: a.name for a in agents}
    template = "agents/_list_section.html" if is_fragment(page.request) else "agents/list.html"
    return await render_page(
        page,
        template,
        agents=rows,
        which=which,
        counts=counts,
        names=names,
        hrefs=await agent_hrefs(page),
        pager=pager,
        has_next=has_next,
        filters=list(FILTERS),
    )


for _which in FILTERS:

    async def _list_route(page: CompanyPage, _w: str = _which):
        return await _agent_list(page, _w)

    router.add_api_route(
        f"/{{prefix}}/agents/{_which}", _list_route, methods=["GET"], name=f"agents_{_which}"
    )


# ---------------------------------------------------------------- new agent


async def new_agent_context(page: Page) -> dict[str, Any]:
    managers = list(
        await page.session.scalars(
            sa.select(Agent)
            .where(Agent.company_id == page.company.id, Agent.status != "terminated")
            .order_by(Agent.name)
        )
    )
    return {
        "roles": cfgform.ROLES,
        "adapter_types": cfgform.adapter_types(),
        "adapter_fields": cfgform.ADAPTER_FIELDS,
        "heartbeat_flags": cfgform.HEARTBEAT_FLAGS,
        "managers": managers,
        "field_value": cfgform.field_value,
        "secrets": await cfgform.company_secrets(page.session, page.actor, page.company.id),
    }


@router.get("/{prefix}/agents/new")
async def new_agent(page: CompanyPage):
    if formkit.read_only(page):
        raise Forbidden("Viewer access is read-only")
    ctx = await new_agent_context(page)
    hb = cfgform.heartbeat_form_values({"heartbeat": {"enabled": False, "maxConcurrentRuns": 1}})
    return await render_page(
        page,
        "agents/new.html",
        **ctx,
        hb=hb,
        config={},
        adapter_type="process",
        needs_approval=page.company.require_board_approval_for_new_agents,
    )


# ---------------------------------------------------------------- detail


async def _detail_context(page: Page, agent: Agent) -> dict[str, Any]:
    hrefs = await agent_hrefs(page)
    manager = await page.session.get(Agent, agent.reports_to) if agent.reports_to else None
    reports = list(
        await page.session.scalars(
            sa.select(Agent)
            .where(Agent.reports_to == agent.id, Agent.status != "terminated")
            .order_by(Agent.name)
        )
    )
    live = list(
        await page.session.scalars(
            sa.select(HeartbeatRun)
            .where(HeartbeatRun.agent_id == agent.id, HeartbeatRun.status.in_(LIVE))
            .order_by(HeartbeatRun.created_at.desc())
            .limit(5)
        )
    )
    return {
        "agent": agent,
        "hrefs": hrefs,
        "href": hrefs[agent.id],
        "manager": manager,
        "reports": reports,
        "live_runs": live,
        "tabs": TABS,
        "policy": heartbeat_policy(agent.runtime_config),
    }


async def _tab_data(page: Page, agent: Agent, tab: str) -> dict[str, Any]:
    session = page.session
    if tab == "overview":
        runtime = await session.get(AgentRuntimeState, agent.id)
        recent = list(
            await session.scalars(
                sa.select(HeartbeatRun)
                .where(HeartbeatRun.agent_id == agent.id)
                .order_by(HeartbeatRun.created_at.desc())
                .limit(5)
            )
        )
        issues = list(
            await session.scalars(
                sa.select(Issue)
                .where(Issue.assignee_agent_id == agent.id, Issue.status.notin_(("done", "cancelled")))
                .order_by(Issue.updated_at.desc())
                .limit(10)
            )
        )
        return {
            "runtime": runtime,
            "recent_runs": recent,
            "issues": issues,
            "chain": await chain_of_command(session, agent),
        }
    if tab == "configuration":
        config = agent.adapter_config or {}
        revs = [revision_to_wire(r) for r in await revisions.list_revisions(session, agent.id, Window(50))]
        for rev in revs:
            rev["diff"] = [
                (
                    k,
                    json.dumps(rev["beforeConfig"].get(k), indent=2, default=str),
                    json.dumps(rev["afterConfig"].get(k), indent=2, default=str),
                )
                for k in rev["changedKeys"]
            ]
        ctx = await new_agent_context(page)
        if agent.adapter_type not in ctx["adapter_types"]:  # e.g. an adapter whose package is not installed
            ctx["adapter_types"] = [*ctx["adapter_types"], agent.adapter_type]
        return {
            **ctx,
            "config": redact_adapter_config(config),
            "adapter_type": agent.adapter_type,
            "env": cfgform.env_rows(config),
            "extra": cfgform.extra_config(agent.adapter_type, config),
            "hb": cfgform.heartbeat_form_values(agent.runtime_config),
            "revisions": revs,
        }
    if tab == "runs":
        pager = Pager.of(page.request, RUNS_PER_PAGE)
        which = page.request.query_params.get("status", "")
        which = which if which in RUN_FILTERS else ""
        rows = await heartbeat.list_runs(
            session,
            page.actor,
            page.company.id,
            agent_id=agent.id,
            statuses=RUN_FILTERS.get(which),
            limit=pager.fetch,
            offset=pager.offset,
        )
        runs, has_next = pager.window(rows)
        return {
            "runs": runs,
            "pager": pager,
            "has_next": has_next,
            "run_filter": which,
            "run_filters": ["", *RUN_FILTERS],
        }
    if tab == "keys":
        return {"keys": await agent_keys.list_keys(session, page.actor, agent.id)}
    if tab == "budget":
        from paperclip.costs.budget_overview import overview

        data = await overview(session, page.company.id, page.now)
        mine = str(agent.id)
        return {
            "policies": [p for p in data["policies"] if p["scopeId"] == mine],
            "incidents": [i for i in data["activeIncidents"] if i["scopeId"] == mine],
        }
    raise NotFound("Page not found")


async def agent_detail_page(page: Page, key: str, tab: str, status: int = 200, **extra: Any):
    agent = await find_agent(page, key)
    if tab not in TABS:
        raise NotFound("Page not found")
    ctx = await _detail_context(page, agent)
    ctx.update(await _tab_data(page, agent, tab))
    ctx.update(extra)
    return await render_page(page, f"agents/tab_{tab}.html", status=status, tab=tab, **ctx)


@router.get("/{prefix}/agents/{key}")
async def agent_detail(page: CompanyPage, key: str):
    return await agent_detail_page(page, key, "overview")


@router.get("/{prefix}/agents/{key}/{tab}")
async def agent_tab(page: CompanyPage, key: str, tab: str):
    if tab == "head":  # the header alone (status, controls, live runs): refreshed on live events
        agent = await find_agent(page, key)
        return await render_page(page, "agents/_head.html", **await _detail_context(page, agent))
    return await agent_detail_page(page, key, tab)


# ---------------------------------------------------------------- a run


async def find_run(page: Page, agent: Agent, run_id: str) -> HeartbeatRun:
    try:
        rid = uuid.UUID(run_id)
    except ValueError:
        raise NotFound("Heartbeat run not found") from None
    run = await page.session.get(HeartbeatRun, rid)
    if run is None or run.agent_id != agent.id:
        raise NotFound("Heartbeat run not found")
    return run


async def _run_parts(page: Page, agent: Agent, run: HeartbeatRun) -> dict[str, Any]:
    """What the run page shows that follows the run's status (the /facts fragment renders it again)."""
    cost_cents = await page.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CostEvent.cost_cents), 0)).where(
            CostEvent.heartbeat_run_id == run.id
        )
    )
    return {
        "run": run,
        "events": await heartbeat.run_events(page.session, page.actor, run.id, after_seq=0, limit=500),
        "issues": await heartbeat.run_issues(page.session, page.actor, run.id),
        "cost_cents": int(cost_cents or 0),
        "live": run.status in LIVE,
        "tab": "runs",
        **await _detail_context(page, agent),
    }


@router.get("/{prefix}/agents/{key}/runs/{run_id}")
async def run_detail(page: CompanyPage, key: str, run_id: str):
    agent = await find_agent(page, key)
    run = await find_run(page, agent, run_id)
    log = await read_log(page.request, run, 0)
    return await render_page(
        page, "agents/run.html", log=log, last_seq=_last_seq(log), **await _run_parts(page, agent, run)
    )


def _last_seq(log: dict[str, Any]) -> int:
    seqs = [line["seq"] for line in log["lines"] if isinstance(line.get("seq"), int)]
    return max(seqs) if seqs else -1


@router.get("/{prefix}/agents/{key}/runs/{run_id}/facts")
async def run_facts(page: CompanyPage, key: str, run_id: str):
    """Every part of the run page that follows the run's status — its facts, the agent's head (the
    "Running now" banner) and the timeline — refreshed together when the run's status changes."""
    agent = await find_agent(page, key)
    run = await find_run(page, agent, run_id)
    parts = await _run_parts(page, agent, run)
    return await render_page(page, "agents/_run_live.html", here=f"{parts['href']}/runs/{run.id}", **parts)


@router.get("/{prefix}/agents/{key}/runs/{run_id}/log")
async def run_log(page: CompanyPage, key: str, run_id: str, offset: int = 0):
    agent = await find_agent(page, key)
    run = await find_run(page, agent, run_id)
    log = await read_log(page.request, run, max(0, offset))
    return JSONResponse(
        {**log, "status": run.status, "live": run.status in LIVE}, headers={"cache-control": "no-store"}
    )


from paperclip.web.pages import agent_actions  # noqa: E402,F401 - registers the POST routes on `router`

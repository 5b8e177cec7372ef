"""Heartbeat services behind the routes: wake/invoke, run queries, log pages, cancellation, runtime
state. Plain async functions `(session, actor, …, now)`; they never commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import (
    Agent,
    AgentRuntimeState,
    AgentTaskSession,
    Company,
    HeartbeatRun,
    HeartbeatRunEvent,
    Issue,
    SchedulerHeartbeat,
)
from paperclip.db.paging import Window
from paperclip.errors import Forbidden, NotFound
from paperclip.heartbeat.logstore import DEFAULT_PAGE_BYTES, RunLogStore
from paperclip.heartbeat.policy import heartbeat_policy
from paperclip.heartbeat.sessions import reset_sessions, runtime_state_to_wire, task_session_to_wire
from paperclip.heartbeat.shapes import run_to_wire, skipped_wakeup
from paperclip.heartbeat.wakeups import (
    lock_wake_target,
    needs_wake_lock,
    queue_on_demand_wakeup,
    request_wakeup,
)
from paperclip.runs import lifecycle
from paperclip.vocabulary import RUN_LIVE
from paperclip.wire import iso, uid

RUN_NOT_FOUND = "Heartbeat run not found"
AGENT_NOT_FOUND = "Agent not found"


async def visible_agent(session: AsyncSession, actor: Actor, agent_id: uuid.UUID) -> Agent:
    agent = await session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(AGENT_NOT_FOUND)
    actor.require_company(agent.company_id)
    return agent


async def visible_run(
    session: AsyncSession, actor: Actor, run_id: uuid.UUID, *, lock: bool = False
) -> HeartbeatRun:
    stmt = sa.select(HeartbeatRun).where(HeartbeatRun.id == run_id)
    if lock:
        stmt = stmt.with_for_update(key_share=True)
    run = (await session.scalars(stmt)).first()
    if run is None:
        raise NotFound(RUN_NOT_FOUND)
    actor.require_company(run.company_id)
    return run


async def wake_agent(
    session: AsyncSession,
    actor: Actor,
    agent_id: uuid.UUID,
    *,
    source: str,
    trigger_detail: str,
    reason: str | None,
    payload: dict[str, Any] | None,
    idempotency_key: str | None,
    force_fresh_session: bool,
    invoke: bool,
    now: datetime,
    pool: Any = None,
) -> dict[str, Any]:
    """POST /agents/:id/wakeup and /heartbeat/invoke → the queued run, or a skipped answer.

    `pool`: an autocommit pool (the app's asyncpg pool) on which a plain on-demand wake-up runs as
    one statement, its own transaction, when this request has written nothing before it."""
    if (
        pool is not None
        and not needs_wake_lock(source, idempotency_key, payload)
        and not session.in_transaction()
        and not (actor.is_agent and actor.agent_id != agent_id)
    ):
        run = await queue_on_demand_wakeup(
            pool,
            agent_id=agent_id,
            companies=actor.visible_company_ids(),
            trigger_detail=trigger_detail,
            reason=reason,
            actor_type=actor.activity_type,
            actor_id=actor.activity_id,
            actor_agent_id=actor.agent_id,
            actor_run_id=actor.run_id,
            force_fresh_session=force_fresh_session,
            now=now,
        )
        if run is not None:
            return run_to_wire(SimpleNamespace(**run))
    # the lookup and (when needed) the agent's wake-up lock in one round trip
    agent = await lock_wake_target(session, agent_id, lock=needs_wake_lock(source, idempotency_key, payload))
    if agent is None:
        raise NotFound(AGENT_NOT_FOUND)
    actor.require_company(agent.company_id)
    if actor.is_agent and actor.agent_id != agent.id:
        raise Forbidden("Agent can only invoke itself")
    outcome = await request_wakeup(
        session,
        company_id=agent.company_id,
        agent_id=agent.id,
        source=source,
        reason=reason,
        now=now,
        trigger_detail=trigger_detail,
        payload=payload,
        requested_by_actor_type=actor.activity_type,
        requested_by_actor_id=actor.activity_id,
        idempotency_key=idempotency_key,
        force_fresh_session=force_fresh_session,
        target=agent,
    )
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="heartbeat.invoked",
        entity_type="agent",
        entity_id=agent.id,
        details={
            "source": source,
            "triggerDetail": trigger_detail,
            "reason": reason,
            "outcome": outcome.status,
            "runId": uid(outcome.run_id),
        },
    )
    if outcome.status == "skipped":
        return {"status": "skipped"} if invoke else skipped_wakeup("wakeup_skipped", outcome.details)
    if outcome.status == "deferred_issue_execution":
        return {
            "status": "deferred_issue_execution",
            "wakeupRequestId": str(outcome.request_id),
            **(outcome.details or {}),
        }
    if outcome.run is not None:
        return run_to_wire(SimpleNamespace(**outcome.run))
    run = await session.get(HeartbeatRun, outcome.run_id, populate_existing=True)
    return run_to_wire(run)


async def list_runs(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    *,
    agent_id: uuid.UUID | None,
    statuses: list[str] | None,
    limit: int,
    offset: int,
) -> list[HeartbeatRun]:
    actor.require_company(company_id)
    stmt = sa.select(HeartbeatRun).where(HeartbeatRun.company_id == company_id)
    if agent_id is not None:
        stmt = stmt.where(HeartbeatRun.agent_id == agent_id)
    if statuses:
        stmt = stmt.where(HeartbeatRun.status.in_(statuses))
    stmt = stmt.order_by(HeartbeatRun.created_at.desc(), HeartbeatRun.id).limit(limit).offset(offset)
    return list(await session.scalars(stmt))


async def run_events(session: AsyncSession, actor: Actor, run_id: uuid.UUID, *, after_seq: int, limit: int):
    await visible_run(session, actor, run_id)
    return list(
        await session.scalars(
            sa.select(HeartbeatRunEvent)
            .where(HeartbeatRunEvent.run_id == run_id, HeartbeatRunEvent.seq > after_seq)
            .order_by(HeartbeatRunEvent.seq)
            .limit(limit)
        )
    )


async def run_log(
    session: AsyncSession,
    actor: Actor,
    store: RunLogStore,
    run_id: uuid.UUID,
    *,
    offset: int,
    limit_bytes: int | None,
) -> dict[str, Any]:
    run = await visible_run(session, actor, run_id)
    out: dict[str, Any] = {"runId": str(run.id), "store": run.log_store or store.name, "logRef": run.log_ref}
    ref = run.log_ref or (
        f"{run.company_id}/{run.agent_id}/{run.id}.ndjson" if run.status == "running" else None
    )
    if ref is None:
        out["content"] = ""
        return out
    page = store.read(ref, offset, limit_bytes or DEFAULT_PAGE_BYTES)
    out["logRef"] = ref
    out["content"] = page.content
    if page.next_offset is not None:
        out["nextOffset"] = page.next_offset
    return out


async def cancel_run(session: AsyncSession, actor: Actor, run_id: uuid.UUID, now: datetime) -> HeartbeatRun:
    """Queued → cancelled at once; running → cancelled, and its runner stops the process group after
    commit (NOTIFY), SIGKILL after graceSec. A finished run is returned unchanged."""
    run = await visible_run(session, actor, run_id, lock=True)
    if actor.is_agent and actor.agent_id != run.agent_id:
        raise Forbidden("Agent can only cancel its own runs")
    if run.status not in RUN_LIVE:
        return run
    message = "Cancelled by a board operator" if actor.is_board else "Cancelled by agent"
    was_running = await lifecycle.cancel_run(session, run.id, message=message, now=now) == "running"
    await session.refresh(run)
    await record(
        session,
        actor,
        company_id=run.company_id,
        action="heartbeat.cancelled",
        entity_type="heartbeat_run",
        entity_id=run.id,
        details={"agentId": str(run.agent_id), "wasRunning": was_running},
    )
    return run


async def issue_runs(
    session: AsyncSession,
    actor: Actor,
    issue_id: uuid.UUID,
    *,
    live_only: bool = False,
    window: Window | None = None,
) -> list[dict[str, Any]]:
    """Runs that worked on the issue, newest first (`live_only`: the queued and running ones)."""
    issue = await session.get(Issue, issue_id)
    if issue is None:
        raise NotFound("Issue not found")
    actor.require_company(issue.company_id)
    query = (
        sa.select(HeartbeatRun, Agent.adapter_type)
        .join(Agent, Agent.id == HeartbeatRun.agent_id)
        .where(
            HeartbeatRun.company_id == issue.company_id,
            sa.or_(
                HeartbeatRun.context_snapshot["issueId"].astext == str(issue_id),
                HeartbeatRun.id.in_([r for r in (issue.checkout_run_id, issue.execution_run_id) if r]),
            ),
        )
        .order_by(HeartbeatRun.created_at.desc(), HeartbeatRun.id)
    )
    if live_only:
        query = query.where(HeartbeatRun.status.in_(("queued", "running")))
    if window:
        query = window.apply(query)
    rows = (await session.execute(query)).all()
    out = []
    for run, adapter_type in rows:
        ctx = run.context_snapshot or {}
        out.append(
            {
                "runId": str(run.id),
                "status": run.status,
                "agentId": str(run.agent_id),
                "adapterType": adapter_type,
                "startedAt": iso(run.started_at),
                "finishedAt": iso(run.finished_at),
                "createdAt": iso(run.created_at),
                "invocationSource": run.invocation_source,
                "errorCode": run.error_code,
                "usageJson": run.usage_json,
                "resultJson": run.result_json,
                "logBytes": run.log_bytes,
                "retryOfRunId": None,
                "wakeCommentIds": ctx.get("wakeCommentIds"),
                "wakeCommentId": ctx.get("wakeCommentId"),
                "contextCommentId": ctx.get("commentId"),
                "contextIssueId": ctx.get("issueId"),
            }
        )
    return out


async def run_issues(session: AsyncSession, actor: Actor, run_id: uuid.UUID) -> list[dict[str, Any]]:
    run = await visible_run(session, actor, run_id)
    ctx = run.context_snapshot or {}
    ids = {str(i) for i in [ctx.get("issueId"), *(ctx.get("issueIds") or [])] if i}
    cond = sa.or_(
        Issue.checkout_run_id == run.id,
        Issue.execution_run_id == run.id,
        sa.cast(Issue.id, sa.Text).in_(ids) if ids else sa.false(),
    )
    rows = (
        await session.execute(
            sa.select(Issue.id, Issue.identifier, Issue.title, Issue.status, Issue.priority).where(
                Issue.company_id == run.company_id, cond
            )
        )
    ).all()
    return [
        {
            "issueId": str(r.id),
            "identifier": r.identifier,
            "title": r.title,
            "status": r.status,
            "priority": r.priority,
        }
        for r in rows
    ]


async def runtime_state(session: AsyncSession, actor: Actor, agent_id: uuid.UUID) -> dict[str, Any]:
    agent = await visible_agent(session, actor, agent_id)
    row = await session.get(AgentRuntimeState, agent.id)
    sessions = list(
        await session.scalars(sa.select(AgentTaskSession).where(AgentTaskSession.agent_id == agent.id))
    )
    return runtime_state_to_wire(
        row,
        agent_id=agent.id,
        company_id=agent.company_id,
        adapter_type=agent.adapter_type,
        sessions=sessions,
    )


async def task_sessions(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, window: Window | None = None
) -> list[dict[str, Any]]:
    agent = await visible_agent(session, actor, agent_id)
    stmt = (
        sa.select(AgentTaskSession)
        .where(AgentTaskSession.agent_id == agent.id)
        .order_by(AgentTaskSession.updated_at.desc(), AgentTaskSession.id)
    )
    rows = await session.scalars(window.apply(stmt) if window else stmt)
    return [task_session_to_wire(r) for r in rows]


async def reset_session(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, task_key: str | None, now: datetime
) -> dict[str, Any]:
    agent = await visible_agent(session, actor, agent_id)
    if actor.is_agent and actor.agent_id != agent.id:
        raise Forbidden("Agent can only reset its own session")
    deleted = await reset_sessions(session, agent_id=agent.id, task_key=task_key, now=now)
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.runtime_session_reset",
        entity_type="agent",
        entity_id=agent.id,
        details={"taskKey": task_key, "cleared": deleted},
    )
    return await runtime_state(session, actor, agent_id)


async def scheduler_heartbeats(
    session: AsyncSession, actor: Actor, window: Window | None = None
) -> list[dict[str, Any]]:
    """The original's shape: one entry per agent with its timer policy and last heartbeat."""
    actor.require_authenticated()
    stmt = (
        sa.select(Agent, Company.name, Company.issue_prefix)
        .join(Company, Company.id == Agent.company_id)
        .where(Agent.status != "terminated")
        .order_by(Company.name, Agent.name, Agent.id)
    )
    allowed = actor.visible_company_ids()
    if allowed is not None:
        stmt = stmt.where(Agent.company_id.in_(allowed))
    if window:
        stmt = window.apply(stmt)
    out = []
    for agent, company_name, prefix in (await session.execute(stmt)).all():
        policy = heartbeat_policy(agent.runtime_config)
        out.append(
            {
                "id": str(agent.id),
                "companyId": str(agent.company_id),
                "companyName": company_name,
                "companyIssuePrefix": prefix,
                "agentName": agent.name,
                "agentUrlKey": _url_key(agent.name),
                "role": agent.role,
                "title": agent.title,
                "status": agent.status,
                "adapterType": agent.adapter_type,
                "intervalSec": policy.interval_sec,
                "heartbeatEnabled": policy.enabled and policy.interval_sec > 0,
                "schedulerActive": policy.enabled
                and policy.interval_sec > 0
                and agent.status not in ("paused", "pending_approval"),
                "lastHeartbeatAt": iso(agent.last_heartbeat_at),
            }
        )
    return out


async def scheduler_replicas(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """When each server replica's scheduler last ticked."""
    actor.require_authenticated()
    rows = await session.scalars(
        sa.select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.last_tick_at.desc().nulls_last())
    )
    return [
        {
            "replicaId": r.replica_id,
            "hostname": r.hostname,
            "pid": r.pid,
            "startedAt": iso(r.started_at),
            "lastTickAt": iso(r.last_tick_at),
            "lastTickDurationMs": r.last_tick_duration_ms,
            "lastError": r.last_error,
            "ticks": r.ticks,
        }
        for r in rows
    ]


def _url_key(name: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


async def issue_active_run(session: AsyncSession, actor: Actor, issue_id: uuid.UUID) -> dict[str, Any] | None:
    """The live run executing the issue (its execution lock), or null."""
    live = await issue_runs(session, actor, issue_id, live_only=True)
    issue = await session.get(Issue, issue_id)
    executing = {str(r) for r in (issue.execution_run_id, issue.checkout_run_id) if r}
    return next((run for run in live if run["runId"] in executing), None)

"""The run state machine on the database: claims (FOR NO KEY UPDATE … SKIP LOCKED), terminal
transitions, issue-lock release and promotion of deferred wake-ups (core §5.4).

queued →(claim)→ running → succeeded | failed | timed_out | cancelled;  queued → cancelled.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent, AgentWakeupRequest, HeartbeatRun, HeartbeatRunEvent, Issue
from paperclip.heartbeat.context import merge_snapshots
from paperclip.heartbeat.policy import heartbeat_policy
from paperclip.heartbeat.project_stop import (
    BUDGET_BLOCKED,
    PROJECT_BUDGET_STOPPED,
    PROJECT_PAUSED,
    snapshot_issue_id_sql,
)
from paperclip.heartbeat.wakeups import WAKE_CHANNEL, notify
from paperclip.vocabulary import AGENT_NOT_INVOKABLE, RUN_LIVE, sql_in

REQUEST_STATUS = {"succeeded": "completed", "cancelled": "cancelled"}
SOURCE_PRIORITY = sa.case(
    (HeartbeatRun.invocation_source == "on_demand", 0), (HeartbeatRun.invocation_source == "assignment", 1), else_=2)


@dataclass(frozen=True)
class ClaimedRun:
    id: uuid.UUID
    company_id: uuid.UUID
    agent_id: uuid.UUID
    agent_name: str
    adapter_type: str
    adapter_config: dict[str, Any]
    runtime_config: dict[str, Any]
    context: dict[str, Any]
    wakeup_request_id: uuid.UUID | None
    invocation_source: str


@dataclass(frozen=True)
class ClaimBatch:
    runs: list[ClaimedRun]
    contended: bool  # some agent with queued runs was locked by another claimer: try again soon
    more: bool = False  # the claim stopped at its agent limit: more agents may have claimable runs


_CANDIDATES = sa.text(f"""
    SELECT a.id, a.name, a.adapter_type, a.adapter_config, a.runtime_config -> 'heartbeat' AS heartbeat
    FROM agents a JOIN companies c ON c.id = a.company_id
    WHERE a.id IN (SELECT q.agent_id FROM heartbeat_runs q WHERE q.status = 'queued')
      AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
    LIMIT :limit
    FOR NO KEY UPDATE OF a SKIP LOCKED
""")
_WAITING_AGENTS = sa.text(f"""
    SELECT count(DISTINCT q.agent_id) FROM heartbeat_runs q JOIN agents a ON a.id = q.agent_id
    JOIN companies c ON c.id = a.company_id
    WHERE q.status = 'queued' AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
""")
# One statement: per locked agent, the oldest queued runs (on_demand first) up to its free slots
# become running; their wake-up requests are claimed, the agents marked running, "run started" logged.
# A queued run about an issue of a paused project (§8.3 budget block) is cancelled instead, with its
# wake-up request: it was queued before the pause, or promoted from a deferred wake-up after it.
_CLAIM = sa.text("""
    WITH cand AS (
        SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:slots AS int[])) AS t(agent_id, max_runs)
    ), busy AS (
        SELECT agent_id, count(*) AS n FROM heartbeat_runs
        WHERE status = 'running' AND agent_id = ANY(CAST(:ids AS uuid[])) GROUP BY agent_id
    ), queued AS (
        SELECT q.id, q.agent_id, q.invocation_source, q.created_at,
               (SELECT coalesce(p.pause_reason, '') FROM issues i JOIN projects p ON p.id = i.project_id
                 WHERE i.id = {issue_id} AND p.paused_at IS NOT NULL) AS project_paused
        FROM heartbeat_runs q WHERE q.status = 'queued' AND q.agent_id = ANY(CAST(:ids AS uuid[]))
    ), ranked AS (
        SELECT q.id, q.agent_id, row_number() OVER (
            PARTITION BY q.agent_id
            ORDER BY CASE q.invocation_source WHEN 'on_demand' THEN 0 WHEN 'assignment' THEN 1 ELSE 2 END, q.created_at
        ) AS rn
        FROM queued q WHERE q.project_paused IS NULL
    ), pick AS (
        SELECT r.id FROM ranked r JOIN cand c ON c.agent_id = r.agent_id LEFT JOIN busy b ON b.agent_id = r.agent_id
        WHERE r.rn <= c.max_runs - coalesce(b.n, 0)
    ), blocked AS (
        UPDATE heartbeat_runs h SET status = 'cancelled', finished_at = :now, updated_at = :now,
            error = CASE q.project_paused WHEN 'budget' THEN '{budget_stopped}' ELSE '{paused}' END,
            error_code = CASE q.project_paused WHEN 'budget' THEN '{budget_blocked}' ELSE 'cancelled' END
        FROM queued q WHERE h.id = q.id AND q.project_paused IS NOT NULL AND h.status = 'queued'
        RETURNING h.wakeup_request_id, h.error
    ), blocked_req AS (
        UPDATE agent_wakeup_requests w SET status = 'cancelled', finished_at = :now, error = b.error, updated_at = :now
        FROM blocked b WHERE w.id = b.wakeup_request_id
    ), upd AS (
        UPDATE heartbeat_runs h SET status = 'running', started_at = :now, runner_id = :runner, updated_at = :now
        FROM pick WHERE h.id = pick.id AND h.status = 'queued'
        RETURNING h.id, h.company_id, h.agent_id, h.context_snapshot, h.wakeup_request_id, h.invocation_source
    ), req AS (
        UPDATE agent_wakeup_requests w SET status = 'claimed', claimed_at = :now, updated_at = :now
        FROM upd WHERE w.id = upd.wakeup_request_id
    ), ag AS (
        UPDATE agents a SET status = 'running', updated_at = :now WHERE a.id IN (SELECT agent_id FROM upd)
    ), ev AS (
        INSERT INTO heartbeat_run_events (company_id, run_id, agent_id, seq, event_type, stream, level, message, created_at)
        SELECT company_id, id, agent_id, 1, 'lifecycle', 'system', 'info', 'run started', :now FROM upd
    )
    SELECT * FROM upd
""".format(issue_id=snapshot_issue_id_sql("q.context_snapshot"), budget_stopped=PROJECT_BUDGET_STOPPED,
           paused=PROJECT_PAUSED, budget_blocked=BUDGET_BLOCKED))


async def claim_runs(session: AsyncSession, *, runner_id: str, now: datetime, limit: int = 200) -> ClaimBatch:
    """Claim queued runs this runner may start now, at most maxConcurrentRuns per agent.

    The agent rows are locked (SKIP LOCKED), so two runners never count the same agent's running
    runs at once: together they never exceed its limit, and a run is claimed exactly once.
    """
    agents = {row.id: row for row in (await session.execute(_CANDIDATES, {"limit": limit})).all()}
    if not agents:
        waiting = await session.scalar(_WAITING_AGENTS)
        return ClaimBatch([], bool(waiting))
    return ClaimBatch(await _claim(session, agents, runner_id=runner_id, now=now), False, more=len(agents) >= limit)


# The same candidates among agents this transaction has locked already (lock_agents).
_LOCKED_CANDIDATES = sa.text(f"""
    SELECT a.id, a.name, a.adapter_type, a.adapter_config, a.runtime_config -> 'heartbeat' AS heartbeat
    FROM agents a JOIN companies c ON c.id = a.company_id
    WHERE a.id = ANY(CAST(:ids AS uuid[]))
      AND a.id IN (SELECT q.agent_id FROM heartbeat_runs q WHERE q.status = 'queued' AND q.agent_id = ANY(CAST(:ids AS uuid[])))
      AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
""")


async def claim_for_locked_agents(session: AsyncSession, agent_ids, *, runner_id: str,
                                  now: datetime) -> list[ClaimedRun]:
    """Claim the queued runs of agents whose rows this transaction holds (lock_agents): the runner's
    journal starts an agent's next run in the transaction that ends its previous one."""
    ids = sorted(set(agent_ids))
    if not ids:
        return []
    agents = {row.id: row for row in (await session.execute(_LOCKED_CANDIDATES, {"ids": ids})).all()}
    return await _claim(session, agents, runner_id=runner_id, now=now) if agents else []


async def _claim(session: AsyncSession, agents: dict[uuid.UUID, Any], *, runner_id: str,
                 now: datetime) -> list[ClaimedRun]:
    ids = list(agents)
    slots = [heartbeat_policy({"heartbeat": agents[a].heartbeat}).max_concurrent_runs for a in ids]
    rows = (await session.execute(_CLAIM, {"ids": ids, "slots": slots, "now": now, "runner": runner_id})).all()
    claimed = [ClaimedRun(
        id=r.id, company_id=r.company_id, agent_id=r.agent_id, agent_name=agents[r.agent_id].name,
        adapter_type=agents[r.agent_id].adapter_type, adapter_config=dict(agents[r.agent_id].adapter_config or {}),
        runtime_config={"heartbeat": agents[r.agent_id].heartbeat or {}}, context=dict(r.context_snapshot or {}),
        wakeup_request_id=r.wakeup_request_id, invocation_source=r.invocation_source) for r in rows]
    return claimed


# Runs this runner claimed but never started, as it stops: queued again as if never claimed (their
# "run started" event and the wake-up request's claim undone, the agent idle unless it runs others),
# so another replica, or this one's next start, claims them.
_HAND_BACK = sa.text("""
    WITH back AS (
        UPDATE heartbeat_runs h SET status = 'queued', started_at = NULL, runner_id = NULL, updated_at = :now
        WHERE h.id = ANY(CAST(:ids AS uuid[])) AND h.status = 'running' AND h.runner_id = :runner
          AND h.process_pid IS NULL
        RETURNING h.id, h.agent_id, h.wakeup_request_id
    ), ev AS (
        DELETE FROM heartbeat_run_events e USING back WHERE e.run_id = back.id
    ), req AS (
        UPDATE agent_wakeup_requests w SET status = 'queued', claimed_at = NULL, updated_at = :now
        FROM back WHERE w.id = back.wakeup_request_id AND w.status = 'claimed'
    ), ag AS (
        UPDATE agents a SET status = 'idle', updated_at = :now
        WHERE a.id IN (SELECT agent_id FROM back) AND a.status = 'running' AND NOT EXISTS (
            SELECT 1 FROM heartbeat_runs o WHERE o.agent_id = a.id AND o.status = 'running'
              AND o.id <> ALL(CAST(:ids AS uuid[])))
    )
    SELECT id FROM back
""")


async def hand_back_runs(session: AsyncSession, runs, *, runner_id: str, now: datetime) -> list[uuid.UUID]:
    """Queue again the claimed runs a stopping runner will not start (agent rows locked first, the
    order claims and finalising use) and wake the other runners; the ids handed back."""
    runs = list(runs)
    if not runs:
        return []
    await lock_agents(session, [r.agent_id for r in runs])
    back = list(await session.scalars(_HAND_BACK, {"ids": [r.id for r in runs], "runner": runner_id, "now": now}))
    if back:
        await notify(session, WAKE_CHANNEL, "handed_back")
    return back


async def release_issue_locks(session: AsyncSession, run_id: uuid.UUID) -> list[uuid.UUID]:
    """Compare-and-clear: only lock columns still pointing at this run are cleared."""
    await session.execute(sa.update(Issue).where(Issue.checkout_run_id == run_id).values(checkout_run_id=None))
    released = await session.scalars(
        sa.update(Issue).where(Issue.execution_run_id == run_id)
        .values(execution_run_id=None, execution_locked_at=None, execution_agent_name_key=None)
        .returning(Issue.id))
    return list(released)


_LOCK_AGENTS = sa.text("SELECT id FROM agents WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR NO KEY UPDATE")


async def lock_agents(session: AsyncSession, agent_ids) -> None:
    """Row locks on agents, always taken before a run row is changed (claims, finalising, reaping and
    cancellation all lock in this order), so an agent's status is decided with every committed run
    in view and the lock order never deadlocks."""
    ids = sorted(set(agent_ids))
    if ids:  # one array parameter: the same prepared statement for any number of agents
        await session.execute(_LOCK_AGENTS, {"ids": ids})


async def finish_agent(session: AsyncSession, agent_id: uuid.UUID, *, failed: bool, now: datetime) -> None:
    """running → idle | error once its last running run ends; a paused/terminated agent stays so."""
    others = sa.exists().where(HeartbeatRun.agent_id == agent_id, HeartbeatRun.status == "running")
    await session.execute(
        sa.update(Agent).where(Agent.id == agent_id, Agent.status == "running", ~others)
        .values(status="error" if failed else "idle", updated_at=now))
    await session.execute(sa.update(Agent).where(Agent.id == agent_id).values(last_heartbeat_at=now))


async def add_event(session: AsyncSession, run: Any, *, event_type: str, message: str,
                    level: str = "info", stream: str = "system", payload: dict[str, Any] | None = None,
                    now: datetime) -> None:
    """Append a run event; its seq is the next one in the database (the runner, the reaper and a
    cancellation may all append to one run)."""
    next_seq = (sa.select(sa.func.coalesce(sa.func.max(HeartbeatRunEvent.seq), 0) + 1)
                .where(HeartbeatRunEvent.run_id == run.id).scalar_subquery())
    await session.execute(sa.insert(HeartbeatRunEvent).values(
        company_id=run.company_id, run_id=run.id, agent_id=run.agent_id, seq=next_seq, event_type=event_type,
        stream=stream, level=level, message=message, payload=payload, created_at=now))


# The agent processes' pids and start times (crash recovery finds them by these) and their
# "adapter invocation" events, for a batch of runs in one statement.
_PROCESSES = sa.text("""
    WITH inp AS (
        SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:companies AS uuid[]), CAST(:agents AS uuid[]),
                             CAST(:pids AS int[]), CAST(:ticks AS text[]), CAST(:payloads AS text[]))
                 AS t(run_id, company_id, agent_id, pid, ticks, payload)
    ), upd AS (
        UPDATE heartbeat_runs h SET process_pid = i.pid, process_started_at = i.ticks FROM inp i WHERE h.id = i.run_id
    )
    INSERT INTO heartbeat_run_events (company_id, run_id, agent_id, seq, event_type, stream, level, message, payload,
                                      created_at)
    SELECT i.company_id, i.run_id, i.agent_id,
           (SELECT coalesce(max(e.seq), 0) + 1 FROM heartbeat_run_events e WHERE e.run_id = i.run_id),
           'adapter.invoke', 'system', 'info', 'adapter invocation', CAST(i.payload AS jsonb), :now
    FROM inp i
""")


async def record_processes(session: AsyncSession, items: list[tuple[Any, int, str | None, dict[str, Any]]], *,
                           now: datetime, locked: bool = False) -> None:
    """`(run, pid, start ticks, invocation payload)` per run: the agent rows are locked first, like
    every other writer of runs (a pause locks the agent, then its runs)."""
    if not items:
        return
    if not locked:
        await lock_agents(session, [run.agent_id for run, _, _, _ in items])
    await session.execute(_PROCESSES, {
        "ids": [run.id for run, _, _, _ in items], "companies": [run.company_id for run, _, _, _ in items],
        "agents": [run.agent_id for run, _, _, _ in items], "pids": [pid for _, pid, _, _ in items],
        "ticks": [ticks for _, _, ticks, _ in items],
        "payloads": [json.dumps({**payload, "pid": pid}) for _, pid, _, payload in items], "now": now})


async def fail_runs(session: AsyncSession, run_ids: list[uuid.UUID], *, error_code: str, message: str,
                    now: datetime) -> list[uuid.UUID]:
    """Mark running runs failed (lost process, shutdown), release their locks and reset their agents."""
    if not run_ids:
        return []
    await lock_agents(session, await session.scalars(sa.select(HeartbeatRun.agent_id).where(HeartbeatRun.id.in_(run_ids))))
    rows = (await session.execute(
        sa.update(HeartbeatRun).where(HeartbeatRun.id.in_(run_ids), HeartbeatRun.status == "running")
        .values(status="failed", error=message, error_code=error_code, finished_at=now, updated_at=now)
        .returning(HeartbeatRun.id, HeartbeatRun.company_id, HeartbeatRun.agent_id, HeartbeatRun.wakeup_request_id)
    )).all()
    for run in rows:
        if run.wakeup_request_id:
            await session.execute(sa.update(AgentWakeupRequest).where(AgentWakeupRequest.id == run.wakeup_request_id)
                                  .values(status="failed", finished_at=now, error=message, updated_at=now))
        await add_event(session, run, event_type="lifecycle", level="error",
                        message="run failed", payload={"status": "failed", "errorCode": error_code}, now=now)
        await release_issue_locks(session, run.id)
    for agent_id in {r.agent_id for r in rows}:
        await finish_agent(session, agent_id, failed=True, now=now)
    return [r.id for r in rows]


_DEFERRED = sa.text(f"""
    SELECT w.id, w.company_id, w.agent_id, w.source, w.trigger_detail, w.payload, a.status AS agent_status
    FROM agent_wakeup_requests w
    JOIN agents a ON a.id = w.agent_id
    LEFT JOIN issues i ON i.id = (w.payload -> 'contextSnapshot' ->> 'issueId')::uuid
    WHERE w.status = 'deferred_issue_execution'
      AND NOT EXISTS (SELECT 1 FROM heartbeat_runs r WHERE r.id = i.execution_run_id AND r.status IN ({sql_in(RUN_LIVE)}))
    ORDER BY w.requested_at
    LIMIT 500
    FOR UPDATE OF w SKIP LOCKED
""")


async def promote_deferred(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Deferred wake-ups whose issue is no longer locked by a live run become one queued run per
    (agent, issue); the other requests of the group are coalesced into it."""
    groups: dict[tuple[uuid.UUID, str], list[Any]] = {}
    for row in (await session.execute(_DEFERRED)).all():
        snapshot = (row.payload or {}).get("contextSnapshot") or {}
        groups.setdefault((row.agent_id, str(snapshot.get("issueId"))), []).append(row)
    created = []
    for rows in groups.values():
        first = rows[0]
        if first.agent_status in AGENT_NOT_INVOKABLE:
            await session.execute(sa.update(AgentWakeupRequest).where(AgentWakeupRequest.id.in_([r.id for r in rows]))
                                  .values(status="cancelled", finished_at=now, error=f"agent {first.agent_status}"))
            continue
        snapshot: dict[str, Any] = {}
        for r in rows:
            snapshot = merge_snapshots(snapshot, (r.payload or {}).get("contextSnapshot") or {})
        run_id = uuid.uuid4()
        await session.execute(sa.insert(HeartbeatRun).values(
            id=run_id, company_id=first.company_id, agent_id=first.agent_id, invocation_source=first.source,
            trigger_detail=first.trigger_detail, status="queued", wakeup_request_id=first.id,
            context_snapshot=snapshot, created_at=now, updated_at=now))
        await session.execute(sa.update(AgentWakeupRequest).where(AgentWakeupRequest.id == first.id).values(
            status="queued", run_id=run_id, coalesced_count=len(rows) - 1, updated_at=now))
        if len(rows) > 1:
            await session.execute(sa.update(AgentWakeupRequest).where(AgentWakeupRequest.id.in_([r.id for r in rows[1:]]))
                                  .values(status="coalesced", run_id=run_id, finished_at=now, updated_at=now))
        created.append(run_id)
    if created:
        await notify(session, WAKE_CHANNEL, "deferred")
    return created

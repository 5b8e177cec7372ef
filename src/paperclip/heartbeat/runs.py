"""Which runs to claim (agents locked FOR NO KEY UPDATE … SKIP LOCKED, their maxConcurrentRuns),
a lost run's failure and the promotion of deferred wake-ups (core §5.4). The statements that write
runs are in `paperclip.runs.lifecycle` (transitions: `paperclip.runs.transitions`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import AgentWakeupRequest, HeartbeatRunEvent
from paperclip.heartbeat.context import merge_snapshots
from paperclip.heartbeat.policy import heartbeat_policy
from paperclip.heartbeat.wakeups import WAKE_CHANNEL, notify
from paperclip.runs import lifecycle
from paperclip.runs.lifecycle import lock_agents, record_processes  # noqa: F401 (re-exported: the runner's journal)
from paperclip.vocabulary import AGENT_NOT_INVOKABLE, RUN_LIVE, sql_in


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


async def claim_runs(session: AsyncSession, *, runner_id: str, now: datetime, limit: int = 200) -> ClaimBatch:
    """Claim queued runs this runner may start now, at most maxConcurrentRuns per agent.

    The agent rows are locked (SKIP LOCKED), so two runners never count the same agent's running
    runs at once: together they never exceed its limit, and a run is claimed exactly once.
    """
    agents = {row.id: row for row in (await session.execute(_CANDIDATES, {"limit": limit})).all()}
    if not agents:
        waiting = await session.scalar(_WAITING_AGENTS)
        return ClaimBatch([], bool(waiting))
    return ClaimBatch(
        await _claim(session, agents, runner_id=runner_id, now=now), False, more=len(agents) >= limit
    )


# The same candidates among agents this transaction has locked already (lock_agents).
_LOCKED_CANDIDATES = sa.text(f"""
    SELECT a.id, a.name, a.adapter_type, a.adapter_config, a.runtime_config -> 'heartbeat' AS heartbeat
    FROM agents a JOIN companies c ON c.id = a.company_id
    WHERE a.id = ANY(CAST(:ids AS uuid[]))
      AND a.id IN (SELECT q.agent_id FROM heartbeat_runs q WHERE q.status = 'queued' AND q.agent_id = ANY(CAST(:ids AS uuid[])))
      AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
""")


async def claim_for_locked_agents(
    session: AsyncSession, agent_ids, *, runner_id: str, now: datetime
) -> list[ClaimedRun]:
    """Claim the queued runs of agents whose rows this transaction holds (lock_agents): the runner's
    journal starts an agent's next run in the transaction that ends its previous one."""
    ids = sorted(set(agent_ids))
    if not ids:
        return []
    agents = {row.id: row for row in (await session.execute(_LOCKED_CANDIDATES, {"ids": ids})).all()}
    return await _claim(session, agents, runner_id=runner_id, now=now) if agents else []


async def _claim(
    session: AsyncSession, agents: dict[uuid.UUID, Any], *, runner_id: str, now: datetime
) -> list[ClaimedRun]:
    ids = list(agents)
    slots = [heartbeat_policy({"heartbeat": agents[a].heartbeat}).max_concurrent_runs for a in ids]
    rows = await lifecycle.claim(session, ids, slots, runner_id=runner_id, now=now)
    claimed = [
        ClaimedRun(
            id=r.id,
            company_id=r.company_id,
            agent_id=r.agent_id,
            agent_name=agents[r.agent_id].name,
            adapter_type=agents[r.agent_id].adapter_type,
            adapter_config=dict(agents[r.agent_id].adapter_config or {}),
            runtime_config={"heartbeat": agents[r.agent_id].heartbeat or {}},
            context=dict(r.context_snapshot or {}),
            wakeup_request_id=r.wakeup_request_id,
            invocation_source=r.invocation_source,
        )
        for r in rows
    ]
    return claimed


async def add_event(
    session: AsyncSession,
    run: Any,
    *,
    event_type: str,
    message: str,
    level: str = "info",
    stream: str = "system",
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    """Append a run event; its seq is the next one in the database (the runner, the reaper and a
    cancellation may all append to one run)."""
    next_seq = (
        sa.select(sa.func.coalesce(sa.func.max(HeartbeatRunEvent.seq), 0) + 1)
        .where(HeartbeatRunEvent.run_id == run.id)
        .scalar_subquery()
    )
    await session.execute(
        sa.insert(HeartbeatRunEvent).values(
            company_id=run.company_id,
            run_id=run.id,
            agent_id=run.agent_id,
            seq=next_seq,
            event_type=event_type,
            stream=stream,
            level=level,
            message=message,
            payload=payload,
            created_at=now,
        )
    )


async def fail_runs(
    session: AsyncSession, run_ids: list[uuid.UUID], *, error_code: str, message: str, now: datetime
) -> list[uuid.UUID]:
    """Running runs end `failed` (lost process, shutdown): released issues' deferred wake-ups are
    promoted, as for any run that ends."""
    failed, released = await lifecycle.fail_running(
        session, run_ids, error_code=error_code, message=message, now=now
    )
    if released:
        await promote_deferred(session, now=now)
    return failed


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
            await session.execute(
                sa.update(AgentWakeupRequest)
                .where(AgentWakeupRequest.id.in_([r.id for r in rows]))
                .values(status="cancelled", finished_at=now, error=f"agent {first.agent_status}")
            )
            continue
        # queued comments the board reordered (issues/queued_comments.py) are delivered in its order
        rows.sort(key=lambda r: int((r.payload or {}).get("queuePosition", 1 << 30)))
        first = rows[0]
        snapshot: dict[str, Any] = {}
        for r in rows:
            snapshot = merge_snapshots(snapshot, (r.payload or {}).get("contextSnapshot") or {})
        run_id = uuid.uuid4()
        await lifecycle.queue_promoted(
            session,
            run_id=run_id,
            company_id=first.company_id,
            agent_id=first.agent_id,
            source=first.source,
            trigger_detail=first.trigger_detail,
            request_id=first.id,
            snapshot=snapshot,
            now=now,
        )
        await session.execute(
            sa.update(AgentWakeupRequest)
            .where(AgentWakeupRequest.id == first.id)
            .values(status="queued", run_id=run_id, coalesced_count=len(rows) - 1, updated_at=now)
        )
        if len(rows) > 1:
            await session.execute(
                sa.update(AgentWakeupRequest)
                .where(AgentWakeupRequest.id.in_([r.id for r in rows[1:]]))
                .values(status="coalesced", run_id=run_id, finished_at=now, updated_at=now)
            )
        created.append(run_id)
    if created:
        await notify(session, WAKE_CHANNEL, "deferred")
    return created

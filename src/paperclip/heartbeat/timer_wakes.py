"""Enqueueing the timer wake-ups of one tick in a few statements (1,000 agents in one tick)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.heartbeat.context import HEARTBEAT_TASK_KEY, build_snapshot
from paperclip.heartbeat.policy import MIN_INTERVAL_SEC, HeartbeatPolicy, heartbeat_policy
from paperclip.heartbeat.timers import TimerCandidate, due_agents
from paperclip.heartbeat.wakeups import WAKE_CHANNEL, notify
from paperclip.runs.lifecycle import QUEUE_TIMER_WAKEUPS
from paperclip.vocabulary import AGENT_NOT_INVOKABLE, sql_in

TIMER_LOCK_KEY = 0x5043_5449_4D45  # one replica at a time enqueues timer wake-ups


_CANDIDATES = sa.text(f"""
    SELECT a.id, a.company_id, a.status, c.status AS company_status, (a.runtime_config -> 'heartbeat')::text AS heartbeat,
           a.last_heartbeat_at, a.created_at
    FROM agents a JOIN companies c ON c.id = a.company_id
    WHERE a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
      AND a.runtime_config -> 'heartbeat' ? 'intervalSec'
      AND coalesce(a.last_heartbeat_at, a.created_at) <= :earliest
      AND a.id NOT IN (SELECT q.agent_id FROM heartbeat_runs q WHERE q.status = 'queued'
                       AND q.context_snapshot ->> 'taskKey' = :task_key)
""")


async def timer_candidates(session: AsyncSession, now: datetime) -> list[TimerCandidate]:
    """Agents that may be due: the SQL only narrows (timers on, not woken in the last minimum
    interval, no timer wake already queued); `is_due` decides."""
    rows = (
        await session.execute(
            _CANDIDATES,
            {"earliest": now - timedelta(seconds=MIN_INTERVAL_SEC), "task_key": HEARTBEAT_TASK_KEY},
        )
    ).all()
    parsed: dict[str | None, tuple[dict[str, Any], HeartbeatPolicy]] = {}  # most agents share a few configs
    out = []
    for r in rows:
        config = parsed.get(r.heartbeat)
        if config is None:
            runtime = {"heartbeat": json.loads(r.heartbeat) if r.heartbeat else None}
            config = parsed[r.heartbeat] = (runtime, heartbeat_policy(runtime))
        out.append(
            TimerCandidate(
                r.id,
                r.company_id,
                r.status,
                r.company_status,
                config[0],
                r.last_heartbeat_at,
                r.created_at,
                config[1],
            )
        )
    return out


async def enqueue_timer_wakes(session: AsyncSession, now: datetime) -> dict[str, int]:
    got = await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(TIMER_LOCK_KEY)))
    if not got:
        return {"checked": 0, "enqueued": 0, "skipped": 0}
    decision = due_agents(await timer_candidates(session, now), now)
    if decision.due:
        snapshot = build_snapshot(
            source="timer",
            reason="heartbeat_timer",
            trigger_detail="system",
            payload=None,
            context={"source": "scheduler", "reason": "interval_elapsed"},
            actor_type="system",
            actor_id="heartbeat_scheduler",
        )
        await session.execute(
            QUEUE_TIMER_WAKEUPS,
            {
                "agents": [c.agent_id for c in decision.due],
                "companies": [c.company_id for c in decision.due],
                "now": now,
                "snap": json.dumps(snapshot),
            },
        )
        await notify(session, WAKE_CHANNEL, "timer")
    return {"checked": decision.checked, "enqueued": len(decision.due), "skipped": decision.skipped}

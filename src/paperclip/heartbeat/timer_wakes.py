"""Enqueueing the timer wake-ups of one tick in a few statements (1,000 agents in one tick)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.heartbeat import queries
from paperclip.heartbeat.context import HEARTBEAT_TASK_KEY, build_snapshot
from paperclip.heartbeat.policy import MIN_INTERVAL_SEC, HeartbeatPolicy, heartbeat_policy
from paperclip.heartbeat.timers import TimerCandidate, due_agents
from paperclip.heartbeat.wakeups import WAKE_CHANNEL, notify
from paperclip.runs.queries import QUEUE_TIMER_WAKEUPS

TIMER_LOCK_KEY = 0x5043_5449_4D45  # one replica at a time enqueues timer wake-ups


async def timer_candidates(session: AsyncSession, now: datetime) -> list[TimerCandidate]:
    """Agents that may be due: the SQL only narrows (timers on, not woken in the last minimum
    interval, no timer wake already queued); `is_due` decides."""
    rows = [
        SimpleNamespace(**r)
        for r in await queries.TIMER_CANDIDATES.fetch(
            session, earliest=now - timedelta(seconds=MIN_INTERVAL_SEC), task_key=HEARTBEAT_TASK_KEY
        )
    ]
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
        await QUEUE_TIMER_WAKEUPS.execute(
            session,
            agents=[c.agent_id for c in decision.due],
            companies=[c.company_id for c in decision.due],
            now=now,
            snap=json.dumps(snapshot),
        )
        await notify(session, WAKE_CHANNEL, "timer")
    return {"checked": decision.checked, "enqueued": len(decision.due), "skipped": decision.skipped}

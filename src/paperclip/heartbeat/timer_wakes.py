"""Enqueueing the timer wake-ups of one tick in a few statements (1,000 agents in one tick)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent, AgentWakeupRequest, Company, HeartbeatRun
from paperclip.heartbeat.context import HEARTBEAT_TASK_KEY, build_snapshot
from paperclip.heartbeat.policy import NOT_INVOKABLE
from paperclip.heartbeat.timers import TimerCandidate, due_agents
from paperclip.heartbeat.wakeups import WAKE_CHANNEL, notify

TIMER_LOCK_KEY = 0x5043_5449_4D45  # one replica at a time enqueues timer wake-ups


async def timer_candidates(session: AsyncSession) -> list[TimerCandidate]:
    rows = (await session.execute(
        sa.select(Agent.id, Agent.company_id, Agent.status, Company.status, Agent.runtime_config,
                  Agent.last_heartbeat_at, Agent.created_at)
        .join(Company, Company.id == Agent.company_id)
        .where(Agent.status.not_in(NOT_INVOKABLE), Company.status == "active",
               Agent.runtime_config["heartbeat"]["intervalSec"].is_not(None))
    )).all()
    return [TimerCandidate(*row) for row in rows]


async def enqueue_timer_wakes(session: AsyncSession, now: datetime) -> dict[str, int]:
    got = await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(TIMER_LOCK_KEY)))
    if not got:
        return {"checked": 0, "enqueued": 0, "skipped": 0, "coalesced": 0}
    decision = due_agents(await timer_candidates(session), now)
    if not decision.due:
        return {"checked": decision.checked, "enqueued": 0, "skipped": decision.skipped, "coalesced": 0}
    due_ids = [c.agent_id for c in decision.due]
    # An agent whose timer wake is still queued: the new one coalesces into it.
    queued = dict((await session.execute(
        sa.select(HeartbeatRun.agent_id, HeartbeatRun.wakeup_request_id)
        .where(HeartbeatRun.agent_id.in_(due_ids), HeartbeatRun.status == "queued",
               HeartbeatRun.context_snapshot["taskKey"].astext == HEARTBEAT_TASK_KEY))).all())
    if queued:
        await session.execute(sa.update(AgentWakeupRequest).where(AgentWakeupRequest.id.in_([r for r in queued.values() if r]))
                              .values(coalesced_count=AgentWakeupRequest.coalesced_count + 1, updated_at=now))
    requests, runs = [], []
    for cand in decision.due:
        if cand.agent_id in queued:
            continue
        request_id, run_id = uuid.uuid4(), uuid.uuid4()
        snapshot = build_snapshot(source="timer", reason="heartbeat_timer", trigger_detail="system", payload=None,
                                  context={"source": "scheduler", "reason": "interval_elapsed"},
                                  actor_type="system", actor_id="heartbeat_scheduler")
        requests.append(dict(id=request_id, company_id=cand.company_id, agent_id=cand.agent_id, source="timer",
                             trigger_detail="system", reason="heartbeat_timer", status="queued",
                             requested_by_actor_type="system", requested_by_actor_id="heartbeat_scheduler",
                             run_id=run_id, requested_at=now, created_at=now, updated_at=now))
        runs.append(dict(id=run_id, company_id=cand.company_id, agent_id=cand.agent_id, invocation_source="timer",
                         trigger_detail="system", status="queued", wakeup_request_id=request_id,
                         context_snapshot=snapshot, created_at=now, updated_at=now))
    if requests:
        await session.execute(sa.insert(AgentWakeupRequest).values(requests))
        await session.execute(sa.insert(HeartbeatRun).values(runs))
        await notify(session, WAKE_CHANNEL, "timer")
    return {"checked": decision.checked, "enqueued": len(requests), "skipped": decision.skipped,
            "coalesced": len(queued)}

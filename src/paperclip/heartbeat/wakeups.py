"""The one entry point for waking an agent (every source: timer, assignment, on_demand, automation).

Other features call `request_wakeup` inside their own transaction; the wake-up becomes visible to
the scheduler when that transaction commits (NOTIFY is delivered on commit too).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import AgentWakeupRequest, HeartbeatRun

WAKE_CHANNEL = "paperclip_wakeup"


@dataclass(frozen=True)
class WakeupOutcome:
    status: str  # queued | coalesced | skipped | deferred_issue_execution
    request_id: uuid.UUID | None
    run_id: uuid.UUID | None


async def request_wakeup(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    source: str,
    reason: str,
    now: datetime,
    trigger_detail: str = "system",
    payload: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    requested_by_actor_type: str = "system",
    requested_by_actor_id: str | None = None,
    idempotency_key: str | None = None,
) -> WakeupOutcome:
    """Queue a wake-up for an agent. (The heartbeat feature refines admission, coalescing and deferral.)"""
    request_id = uuid.uuid4()
    run_id = uuid.uuid4()
    snapshot = {"wakeReason": reason, "wakeSource": source, **(context or {})}
    await session.execute(sa.insert(AgentWakeupRequest).values(
        id=request_id, company_id=company_id, agent_id=agent_id, source=source, trigger_detail=trigger_detail,
        reason=reason, payload=payload, status="queued", requested_by_actor_type=requested_by_actor_type,
        requested_by_actor_id=requested_by_actor_id, idempotency_key=idempotency_key, run_id=run_id, requested_at=now,
    ))
    await session.execute(sa.insert(HeartbeatRun).values(
        id=run_id, company_id=company_id, agent_id=agent_id, invocation_source=source, trigger_detail=trigger_detail,
        status="queued", wakeup_request_id=request_id, context_snapshot=snapshot,
    ))
    await session.execute(sa.text(f"NOTIFY {WAKE_CHANNEL}"))
    return WakeupOutcome("queued", request_id, run_id)


async def cancel_agent_work(session: AsyncSession, *, agent_id: uuid.UUID, reason: str, now: datetime) -> list[uuid.UUID]:
    """Cancel an agent's queued wake-ups and runs (pause, terminate, budget stop).

    Returns the ids of its running runs, whose processes the heartbeat runner stops after commit.
    """
    await session.execute(
        sa.update(AgentWakeupRequest)
        .where(AgentWakeupRequest.agent_id == agent_id, AgentWakeupRequest.status.in_(("queued", "deferred_issue_execution")))
        .values(status="cancelled", finished_at=now, error=reason)
    )
    await session.execute(
        sa.update(HeartbeatRun)
        .where(HeartbeatRun.agent_id == agent_id, HeartbeatRun.status == "queued")
        .values(status="cancelled", finished_at=now, error=reason, error_code="cancelled")
    )
    running = await session.scalars(
        sa.select(HeartbeatRun.id).where(HeartbeatRun.agent_id == agent_id, HeartbeatRun.status == "running")
    )
    return list(running)

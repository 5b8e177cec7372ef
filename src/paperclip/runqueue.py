"""Queue primitives every feature may use without importing the heartbeat runtime: the NOTIFY
channels the runner listens on, `notify`, and `cancel_agent_work` (a pause, termination, company
archive or budget stop cancels an agent's queued and running work).

A leaf: it imports only the database models and the vocabulary, so costs/, agents/ and companies/
stop an agent's work without an import cycle through heartbeat/ (which records run costs in costs/).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent, AgentWakeupRequest, HeartbeatRun
from paperclip.vocabulary import WAKEUP_PENDING

WAKE_CHANNEL = "paperclip_wakeup"
CANCEL_CHANNEL = "paperclip_run_cancel"


async def notify(session: AsyncSession, channel: str, payload: str = "") -> None:
    await session.execute(sa.select(sa.func.pg_notify(channel, payload)))


async def cancel_agent_work(session: AsyncSession, *, agent_id: uuid.UUID, reason: str, now: datetime) -> list[uuid.UUID]:
    """Cancel an agent's queued and deferred wake-ups and runs, and its running runs (pause, terminate,
    budget stop).

    Running runs are marked `cancelled` here; when this transaction commits the runner executing
    them receives a NOTIFY and stops their process group (SIGTERM, SIGKILL after graceSec). Returns
    the ids of the runs that were running.
    """
    code = "budget_blocked" if "budget" in (reason or "").lower() else "cancelled"
    # agent row first, then its runs: the order the runner's claims and finalising use
    await session.execute(sa.select(Agent.id).where(Agent.id == agent_id).with_for_update(key_share=True))
    await session.execute(
        sa.update(AgentWakeupRequest)
        .where(AgentWakeupRequest.agent_id == agent_id, AgentWakeupRequest.status.in_(WAKEUP_PENDING))
        .values(status="cancelled", finished_at=now, error=reason)
    )
    await session.execute(
        sa.update(HeartbeatRun)
        .where(HeartbeatRun.agent_id == agent_id, HeartbeatRun.status == "queued")
        .values(status="cancelled", finished_at=now, error=reason, error_code=code, updated_at=now)
    )
    running = list(await session.scalars(
        sa.update(HeartbeatRun)
        .where(HeartbeatRun.agent_id == agent_id, HeartbeatRun.status == "running")
        .values(status="cancelled", finished_at=now, error=reason, error_code=code, updated_at=now)
        .returning(HeartbeatRun.id)
    ))
    if running:
        await notify(session, CANCEL_CHANNEL, json.dumps([str(r) for r in running]))
    return running

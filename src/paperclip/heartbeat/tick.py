"""One scheduler tick. The heartbeat issue fills it with timers, reaping and run starts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from fastapi import FastAPI

from paperclip.db.engine import unit_of_work
from paperclip.db.models import SchedulerHeartbeat


async def scheduler_tick(app: FastAPI, now: datetime) -> None:
    async with unit_of_work(app.state.sessions) as session:
        await session.execute(
            sa.update(SchedulerHeartbeat)
            .where(SchedulerHeartbeat.replica_id == app.state.replica_id)
            .values(last_tick_at=now, ticks=SchedulerHeartbeat.ticks + 1)
        )

"""One scheduler tick: timer wake-ups, orphan reaping, deferred promotion, start queued runs, and
this replica's row in scheduler_heartbeats (core §5.1, deploy §10)."""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.postgresql import insert

from paperclip import metrics
from paperclip.db.engine import unit_of_work
from paperclip.db.models import SchedulerHeartbeat
from paperclip.heartbeat.recovery import reap_orphans
from paperclip.heartbeat.runs import promote_deferred
from paperclip.heartbeat.timer_wakes import enqueue_timer_wakes

if TYPE_CHECKING:
    from paperclip.heartbeat.runtime import HeartbeatRuntime

log = logging.getLogger("paperclip.heartbeat")


async def scheduler_tick(runtime: HeartbeatRuntime, now: datetime) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {}
    error = None
    try:
        async with unit_of_work(runtime.sessions) as session:
            result["timers"] = await enqueue_timer_wakes(session, now)
        if result["timers"]["enqueued"]:
            log.info("heartbeat timer tick enqueued runs (%d)", result["timers"]["enqueued"])
        result["reaped"] = len(await reap_orphans(runtime, now))
        async with unit_of_work(runtime.sessions) as session:
            result["promoted"] = len(await promote_deferred(session, now=now))
        for name, tick in runtime.ticks:  # other features' ticks (routines), given by the server
            async with unit_of_work(runtime.sessions) as session:
                result[name] = await tick(session, now)
        if runtime.runner is not None:
            runtime.runner.poke()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        seconds = time.perf_counter() - started
        metrics.tick_finished(seconds)
        duration = int(seconds * 1000)
        result["durationMs"] = duration
        try:
            await record_tick(runtime, now, duration, error)
        except Exception:
            log.exception("recording the scheduler heartbeat failed")
    return result


async def record_tick(runtime: HeartbeatRuntime, now: datetime, duration_ms: int, error: str | None) -> None:
    async with unit_of_work(runtime.sessions) as session:
        stmt = insert(SchedulerHeartbeat).values(
            replica_id=runtime.replica_id,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            last_tick_at=now,
            last_tick_duration_ms=duration_ms,
            last_error=error,
            ticks=1,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["replica_id"],
                set_={
                    "last_tick_at": now,
                    "last_tick_duration_ms": duration_ms,
                    "last_error": error,
                    "ticks": SchedulerHeartbeat.ticks + 1,
                },
            )
        )

"""This process's heartbeat runtime (issue 9 part 2): the runner, the scheduler loop (each tick:
timer wake-ups, orphan reaping, deferred promotion) and the process's other background loops
(storage deletions, backups: given by the server, which owns those features), started and stopped
together. Built from the settings and the process's `Database`; nothing here reads a web
application's state. The API reaches it through one dependency (`heartbeat.routes.runtime_of`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from starlette.requests import Request

from paperclip.clock import utcnow
from paperclip.config import Settings
from paperclip.db.database import Database
from paperclip.db.engine import unit_of_work
from paperclip.db.models import SchedulerHeartbeat
from paperclip.heartbeat.dispatch import Runner
from paperclip.heartbeat.logstore import LocalFileRunLogStore, RunLogStore
from paperclip.heartbeat.loop import SchedulerLoop
from paperclip.heartbeat.recovery import reap_orphans
from paperclip.heartbeat.tick import scheduler_tick

log = logging.getLogger("paperclip.heartbeat")


def heartbeat_runtime(request: Request) -> HeartbeatRuntime | None:
    """The API's one way to this process's heartbeat runtime (None in an HTTP-only worker)."""
    return getattr(request.app.state, "heartbeat", None)


def run_log_store(request: Request) -> RunLogStore:
    """Where run logs are read: the runner's store, or the configured directory without a runner."""
    runtime = heartbeat_runtime(request)
    if runtime is not None and runtime.runner is not None:
        return runtime.runner.log_store
    return LocalFileRunLogStore(request.app.state.settings.paths.run_logs_dir)


class HeartbeatRuntime:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        replica_id: str,
        api_url: str,
        loops: dict[str, Callable[[], Coroutine[Any, Any, Any]]] | None = None,
        ticks: Sequence[tuple[str, Callable[[Any, datetime], Awaitable[Any]]]] = (),
    ):
        self.settings = settings
        self.database = database
        self.replica_id = replica_id
        self.api_url = api_url
        self.loops = dict(loops or {})  # name → coroutine factory, run as tasks until stop()
        self.ticks = list(ticks)  # (name, tick(session, now)): other features' scheduler ticks (routines)
        self.runner: Runner | None = None
        self.scheduler: SchedulerLoop | None = None
        self.background: list[asyncio.Task] = []
        self.backup_schedule: Any = None  # the server's BackupSchedule, when backups are on

    @property
    def sessions(self):
        return self.database.sessions

    @property
    def stale_after(self) -> timedelta:
        """A replica without a LISTEN session is presumed dead after three missed ticks."""
        return timedelta(milliseconds=max(3 * self.settings.heartbeat_interval_ms, 60_000))

    async def start(self) -> None:
        """Recover runs lost by a previous server, start the runner and the scheduler, then the loops."""
        async with unit_of_work(self.sessions) as session:
            await session.execute(
                insert(SchedulerHeartbeat)
                .values(replica_id=self.replica_id, pid=os.getpid(), hostname=socket.gethostname())
                .on_conflict_do_nothing()
            )
        self.runner = Runner(
            self.settings,
            self.database.url,
            runner_id=self.replica_id,
            api_url=self.api_url,
            sessions=self.database.run_sessions,
        )
        try:
            await self.reap_orphans(utcnow())
        except Exception:
            log.exception("start-up recovery of heartbeat runs failed")
        await self.runner.start()
        self.runner.poke()
        if self.settings.heartbeat_scheduler_enabled:
            self.scheduler = SchedulerLoop(self.tick, self.settings.heartbeat_interval_ms)
            self.scheduler.start()
        for name, loop in self.loops.items():
            self.background.append(asyncio.create_task(loop(), name=name))

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
        if self.runner is not None:
            await self.runner.stop()
            self.runner = None
        for task in self.background:
            task.cancel()
        for task in self.background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.background = []

    async def reap_orphans(self, now: datetime) -> list:
        return await reap_orphans(self, now)

    async def tick(self, now: datetime) -> dict[str, Any]:
        return await scheduler_tick(self, now)

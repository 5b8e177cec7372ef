"""The in-process scheduler loop: every interval, one tick that takes `now`. Errors never stop it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from paperclip.clock import utcnow

log = logging.getLogger("paperclip.heartbeat")

Tick = Callable[[datetime], Awaitable[object]]


class SchedulerLoop:
    def __init__(self, tick: Tick, interval_ms: int, *, clock: Callable[[], datetime] = utcnow):
        self.tick = tick
        self.interval = interval_ms / 1000
        self.clock = clock
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self.ticks = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="heartbeat-scheduler")

    def poke(self) -> None:
        """Run the next tick now (a NOTIFY arrived, or a test wants it)."""
        self._wake.set()

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except TimeoutError:
                self._task.cancel()
            self._task = None

    async def run_once(self) -> object:
        started = time.perf_counter()
        try:
            return await self.tick(self.clock())
        except Exception:
            log.exception("heartbeat scheduler tick failed")
            return None
        finally:
            self.ticks += 1
            log.debug("heartbeat scheduler tick took %.1f ms", (time.perf_counter() - started) * 1000)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            await self.run_once()
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except TimeoutError:
                pass

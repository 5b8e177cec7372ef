"""The runner's write-behind journal: agent processes started and runs ended are written together.

Every run writes twice after its claim: its process (pid, start time, invocation event) once
spawned, and its outcome once ended. One transaction per write would cost each run about ten round
trips; here whatever arrives while a write is in flight waits for the next one, so a burst of runs
shares a transaction (agent rows locked once, in order; one set-based statement per kind). A lone
run is written at once: nothing waits for a timer.

With `claim_next`, the transaction that ends runs also claims their agents' next queued runs
(the agent rows are locked there already) and hands them to `on_claimed` once committed: an
agent's queue moves on without a separate claim transaction.

Order is kept: a run's process record is never written after its outcome. When a batch fails, its
items are retried one by one, so one bad item cannot fail the others; a failure is handed to the
caller, who still has its own fallback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from paperclip.clock import utcnow
from paperclip.db.engine import unit_of_work
from paperclip.heartbeat.finalize import RunOutcome, finalize_runs
from paperclip.heartbeat.runs import lock_agents, record_processes

log = logging.getLogger("paperclip.heartbeat")
MAX_BATCH = 250

_PROCESS, _FINAL = "process", "final"


class RunJournal:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utcnow,
        claim_next: Callable[[AsyncSession, list[Any], datetime], Awaitable[list[Any]]] | None = None,
        on_claimed: Callable[[list[Any]], None] | None = None,
    ):
        self.sessions = sessions
        self.clock = clock
        self.claim_next = claim_next
        self.on_claimed = on_claimed
        self._queue: list[tuple[str, tuple, asyncio.Future]] = []
        self._task: asyncio.Task | None = None
        self.transactions = 0  # how many write transactions (a figure for tests and benchmarks)

    def record_process(
        self, run: Any, pid: int, ticks: str | None, payload: dict[str, Any]
    ) -> asyncio.Future:
        return self._submit(_PROCESS, (run, pid, ticks, payload))

    def finalize(self, run: Any, outcome: RunOutcome, adapter_type: str) -> Awaitable[str]:
        """Resolves to the run's final status once committed."""
        return self._submit(_FINAL, (run, outcome, adapter_type))

    def _submit(self, kind: str, item: tuple) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._queue.append((kind, item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="heartbeat-journal")
        return future

    async def idle(self) -> None:
        """Wait until everything submitted so far is written."""
        while self._task is not None and not self._task.done():
            await asyncio.wait({self._task})

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                await self._write(batch)
            except Exception:
                log.warning(
                    "heartbeat journal batch of %d failed; writing its items one by one",
                    len(batch),
                    exc_info=True,
                )
                for entry in batch:
                    try:
                        await self._write([entry])
                    except Exception as exc:
                        if not entry[2].done():
                            entry[2].set_exception(exc)

    async def _write(self, batch: list[tuple[str, tuple, asyncio.Future]]) -> None:
        processes = [item for kind, item, _ in batch if kind == _PROCESS]
        finals = [item for kind, item, _ in batch if kind == _FINAL]
        async with unit_of_work(self.sessions) as session:
            now = self.clock()
            await lock_agents(session, [item[0].agent_id for _, item, _ in batch])
            await record_processes(
                session, processes, now=now, locked=True
            )  # before the outcomes: event order
            statuses = await finalize_runs(session, finals, now=now, locked=True)
            claimed = (
                await self.claim_next(session, [item[0].agent_id for item in finals], now)
                if finals and self.claim_next is not None
                else []
            )
        self.transactions += 1
        if claimed and self.on_claimed is not None:
            self.on_claimed(claimed)
        for kind, item, future in batch:
            if not future.done():
                future.set_result(statuses.get(item[0].id) if kind == _FINAL else None)

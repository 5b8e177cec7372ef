"""Orphan recovery at start-up and on every tick: runs whose process was lost end `failed`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from paperclip.db.engine import unit_of_work
from paperclip.heartbeat.reaper import find_orphans, stop_outlived_process
from paperclip.heartbeat.runs import fail_runs

if TYPE_CHECKING:
    from paperclip.heartbeat.runtime import HeartbeatRuntime

log = logging.getLogger("paperclip.heartbeat")


async def reap_orphans(runtime: HeartbeatRuntime, now: datetime) -> list:
    runner = runtime.runner
    tracked = runner.tracked if runner is not None else set
    async with unit_of_work(runtime.sessions) as session:
        orphans = await find_orphans(
            session, self_id=runtime.replica_id, tracked=tracked, now=now, stale_after=runtime.stale_after
        )
        if not orphans:
            return []
        failed = await fail_runs(
            session,
            [o.id for o in orphans],
            error_code="process_lost",
            message="The run's process was lost (its server stopped or restarted)",
            now=now,
        )
    for orphan in orphans:
        if orphan.id in failed:
            stop_outlived_process(orphan.runner_id, orphan.process_pid, orphan.process_started_at)
    if failed:
        log.warning("Reaped %d orphaned heartbeat run(s): process_lost", len(failed))
        if runner is not None:
            runner.poke()
    return failed

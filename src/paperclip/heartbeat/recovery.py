"""Starting and stopping the heartbeat runner with the server, and orphan recovery at start-up
and on every tick."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from fastapi import FastAPI

from paperclip.clock import utcnow
from paperclip.db.engine import unit_of_work
from paperclip.heartbeat.dispatch import Runner
from paperclip.heartbeat.reaper import find_orphans, stop_outlived_process
from paperclip.heartbeat.runs import fail_runs

log = logging.getLogger("paperclip.heartbeat")


def stale_after(app: FastAPI) -> timedelta:
    """A replica without a LISTEN session is presumed dead after three missed ticks."""
    return timedelta(milliseconds=max(3 * app.state.settings.heartbeat_interval_ms, 60_000))


async def reap_orphans(app: FastAPI, now: datetime) -> list:
    runner: Runner | None = getattr(app.state, "heartbeat_runner", None)
    tracked = runner.tracked if runner is not None else set
    async with unit_of_work(app.state.sessions) as session:
        orphans = await find_orphans(session, self_id=app.state.replica_id, tracked=tracked, now=now,
                                     stale_after=stale_after(app))
        if not orphans:
            return []
        failed = await fail_runs(session, [o.id for o in orphans], error_code="process_lost",
                                 message="The run's process was lost (its server stopped or restarted)", now=now)
    for orphan in orphans:
        if orphan.id in failed:
            stop_outlived_process(orphan.runner_id, orphan.process_pid, orphan.process_started_at)
    if failed:
        log.warning("Reaped %d orphaned heartbeat run(s): process_lost", len(failed))
        if runner is not None:
            runner.poke()
    return failed


async def start_heartbeat(app: FastAPI) -> None:
    """Start this replica's runner: recover runs lost by a previous server, then start queued runs."""
    settings = app.state.settings
    runner = Runner(settings, app.state.database_url, runner_id=app.state.replica_id,
                    api_url=getattr(app.state, "api_url", None) or f"http://localhost:{settings.port}")
    app.state.heartbeat_runner = runner
    try:
        await reap_orphans(app, utcnow())
    except Exception:
        log.exception("start-up recovery of heartbeat runs failed")
    await runner.start()
    runner.poke()


async def stop_heartbeat(app: FastAPI) -> None:
    runner: Runner | None = getattr(app.state, "heartbeat_runner", None)
    if runner is not None:
        await runner.stop()
        app.state.heartbeat_runner = None

"""Orphaned runs (core §5.5): `running` runs whose runner is gone are failed with `process_lost`,
their issue locks released and agents reset, and an agent process that outlived its server is
stopped (found by the pid on the run, checked to be the same process by its start time).

A runner is alive while its LISTEN connection is open (PostgreSQL drops the session the moment
the server process dies, even by SIGKILL) or, without one (e.g. behind a transaction pooler),
while its replica's scheduler heartbeat is fresh — unless that replica is on this host and its
pid is gone.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.adapters.spawn import kill_group, process_start_ticks
from paperclip.db.models import HeartbeatRun, SchedulerHeartbeat
from paperclip.heartbeat import queries
from paperclip.heartbeat.listener import RUNNER_APP_PREFIX, runner_app_name

log = logging.getLogger("paperclip.heartbeat")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def replica_host_pid(runner_id: str) -> tuple[str | None, int | None]:
    parts = (runner_id or "").split(":")
    if len(parts) >= 3:
        try:
            return ":".join(parts[:-2]), int(parts[-2])
        except ValueError:
            return None, None
    return None, None


async def live_runners(
    session: AsyncSession, runner_ids: set[str], *, self_id: str, now: datetime, stale_after: timedelta
) -> set[str]:
    if not runner_ids:
        return set()
    listening = {
        r["application_name"]
        for r in await queries.RUNNER_CONNECTIONS.fetch(session, pattern=RUNNER_APP_PREFIX + "%")
    }
    beats = {
        row.replica_id: row
        for row in (
            await session.execute(
                sa.select(
                    SchedulerHeartbeat.replica_id,
                    SchedulerHeartbeat.hostname,
                    SchedulerHeartbeat.pid,
                    SchedulerHeartbeat.last_tick_at,
                    SchedulerHeartbeat.started_at,
                ).where(SchedulerHeartbeat.replica_id.in_(runner_ids))
            )
        ).all()
    }
    host = socket.gethostname()
    alive = set()
    for rid in runner_ids:
        if rid == self_id:
            alive.add(rid)
            continue
        r_host, r_pid = replica_host_pid(rid)
        if r_host == host and r_pid is not None and not _pid_alive(r_pid):
            continue  # this host's replica whose process is gone (e.g. the server before a restart)
        if runner_app_name(rid) in listening:
            alive.add(rid)
            continue
        beat = beats.get(rid)
        last = (beat.last_tick_at or beat.started_at) if beat is not None else None
        if last is not None and now - last < stale_after:
            alive.add(rid)
    return alive


async def find_orphans(
    session: AsyncSession,
    *,
    self_id: str,
    tracked: Callable[[], set[uuid.UUID]],
    now: datetime,
    stale_after: timedelta,
) -> list[Any]:
    """`tracked` is asked after the query: a run claimed while we read is then already known."""
    running = (
        await session.execute(
            sa.select(
                HeartbeatRun.id,
                HeartbeatRun.runner_id,
                HeartbeatRun.process_pid,
                HeartbeatRun.process_started_at,
            ).where(HeartbeatRun.status == "running")
        )
    ).all()
    if not running:
        return []
    alive = await live_runners(
        session,
        {r.runner_id for r in running if r.runner_id},
        self_id=self_id,
        now=now,
        stale_after=stale_after,
    )
    orphans = []
    mine = tracked()
    for run in running:
        if run.runner_id == self_id:
            if run.id not in mine:
                orphans.append(run)  # ours, but nothing executes it any more
        elif run.runner_id not in alive:
            orphans.append(run)
    return orphans


def stop_outlived_process(runner_id: str | None, pid: int | None, started: str | None) -> bool:
    """Kill the process group of an agent process left behind by a dead server, if it is still the
    same process (same pid and start time) on this host."""
    if not pid or not started:
        return False
    host, _ = replica_host_pid(runner_id or "")
    if host is not None and host != socket.gethostname():
        return False
    if process_start_ticks(pid) != started:
        return False
    log.warning("Stopping agent process %s left behind by a lost server", pid)
    kill_group(pid, signal.SIGTERM)
    kill_group(pid, signal.SIGKILL)
    return True

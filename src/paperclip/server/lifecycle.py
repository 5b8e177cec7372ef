"""What a server process does right after start and right before stop: the local board (or the
authenticated start-up), then — unless its role leaves heartbeats to another process ("http",
"api") — its heartbeat runtime (runner, scheduler, reaper) with the storage sweep and backups;
stopped together at shutdown."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.dialects.postgresql import insert

from paperclip.access import queries as access_queries
from paperclip.auth.actor import LOCAL_BOARD_USER_ID
from paperclip.clock import utcnow
from paperclip.config import Settings
from paperclip.db.backup import BackupSchedule
from paperclip.db.database import Database
from paperclip.db.engine import unit_of_work
from paperclip.db.models import Company, CompanyMembership, InstanceUserRole, User
from paperclip.heartbeat.runtime import HeartbeatRuntime
from paperclip.secrets.cleanup import sweep_loop as secrets_sweep_loop
from paperclip.server.database import backup_source_url
from paperclip.server.trace import mark
from paperclip.storage.backups import copy_offsite
from paperclip.storage.cleanup import sweep_loop as storage_sweep_loop
from paperclip.wiring import install_governed

log = logging.getLogger("paperclip.server")


async def ensure_local_board(process: ServerProcess) -> None:
    """local_trusted: user `local-board`, instance admin, owner of every company (deploy §5.3)."""
    async with unit_of_work(process.sessions) as session:
        await session.execute(
            insert(User)
            .values(id=LOCAL_BOARD_USER_ID, name="Board", email="local@paperclip.local", email_verified=True)
            .on_conflict_do_nothing()
        )
        await session.execute(
            insert(InstanceUserRole)
            .values(user_id=LOCAL_BOARD_USER_ID, role="instance_admin")
            .on_conflict_do_nothing()
        )
        companies = (await session.scalars(sa.select(Company.id))).all()
        if companies:
            await session.execute(
                insert(CompanyMembership)
                .values(
                    [
                        {
                            "company_id": cid,
                            "principal_type": "user",
                            "principal_id": LOCAL_BOARD_USER_ID,
                            "status": "active",
                            "membership_role": "owner",
                        }
                        for cid in companies
                    ]
                )
                .on_conflict_do_nothing()
            )


class ServerProcess:
    """What a server process's start-up needs: its settings, its `Database`, its replica id, port and
    API URL, and its role. An HTTP process makes one from its app's state; the background process
    (heartbeats, scheduler, backups) has no web application at all."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        replica_id: str,
        listen_port: int,
        api_url: str,
        role: str = "all",
        ticks: Sequence[tuple[str, Any]] = (),
    ):
        self.settings = settings
        self.database = database
        self.replica_id = replica_id
        self.listen_port = listen_port
        self.api_url = api_url
        self.role = role
        self.ticks = ticks  # other features' scheduler ticks (server/runtime.py scheduler_ticks)

    @property
    def sessions(self):
        return self.database.sessions


async def on_startup(app: FastAPI) -> None:
    """`app.state.role`: "all" (one process does everything), "http" (a worker that only serves
    requests), "api" (serves requests and does the start-up steps, runs no heartbeats: the app the
    API tests use) or "background" (the process that runs heartbeats, the scheduler and backups).

    `app.state.freeze_heap` (server processes): what start-up built lives as long as the process,
    so once started it is moved out of the garbage collector's sight (gc.freeze). A full
    collection otherwise walks those ~150,000 objects: a 100+ ms pause, measured in the middle of
    a burst of runs."""
    settings = app.state.settings
    port = getattr(app.state, "listen_port", settings.port)
    process = ServerProcess(
        settings,
        app.state.database,
        replica_id=app.state.replica_id,
        listen_port=port,
        api_url=getattr(app.state, "api_url", None) or f"http://localhost:{settings.port}",
        role=getattr(app.state, "role", "all"),
        ticks=getattr(app.state, "scheduler_ticks", ()),
    )
    app.state.heartbeat = await start_process(process)
    if getattr(app.state, "freeze_heap", False):
        gc.freeze()  # no collection first: start-up leaves next to no garbage (measured: 0 objects)
    mark(f"{process.role} started")


async def on_shutdown(app: FastAPI) -> None:
    runtime: HeartbeatRuntime | None = getattr(app.state, "heartbeat", None)
    if runtime is not None:
        await runtime.stop()
        app.state.heartbeat = None


@asynccontextmanager
async def background_process(
    settings: Settings,
    database_url: str,
    *,
    replica_id: str,
    listen_port: int,
    api_url: str,
    ticks: Sequence[tuple[str, Any]] = (),
    freeze_heap: bool = True,
) -> AsyncIterator[HeartbeatRuntime | None]:
    """The background process's life without a web application: its database (write sessions and
    the runner's pool), start-up, the heartbeat runtime; all stopped on exit."""
    install_governed()  # a run's cost may stop a budget: the features it pauses (paperclip/wiring.py)
    flusher = None
    if settings.metrics_enabled:
        from paperclip import metrics

        metrics.enable()
        flusher = metrics.Flusher()
    database = await Database.open(settings, database_url, role="background")
    try:
        runtime = await start_process(
            ServerProcess(
                settings,
                database,
                replica_id=replica_id,
                listen_port=listen_port,
                api_url=api_url,
                role="background",
                ticks=ticks,
            )
        )
        if freeze_heap:
            gc.freeze()
        mark("background started")
        try:
            yield runtime
        finally:
            if runtime is not None:
                await runtime.stop()
    finally:
        if flusher is not None:
            flusher.stop()
        await database.close()


async def start_process(process: ServerProcess) -> HeartbeatRuntime | None:
    """Start-up steps of the process's role; the started heartbeat runtime (None for an HTTP-only worker)."""
    settings = process.settings
    if settings.is_local_trusted and process.role != "http":
        await ensure_local_board(process)
    if not settings.is_local_trusted and process.role != "http":
        await _authenticated_start(process)
    if process.role in ("http", "api"):
        return None  # wake-ups reach the process that runs heartbeats through the database (NOTIFY)
    loops: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {
        "storage-deletions": lambda: storage_sweep_loop(process.sessions, settings.storage),
        # managed AWS copies of deleted secrets and companies (secrets/cleanup.py)
        "secret-deletions": lambda: secrets_sweep_loop(process.sessions, settings),
    }
    schedule = None
    if settings.backup.enabled:
        schedule = BackupSchedule.starting(
            backup_source_url(settings, process.database.url),
            backup_dir=settings.backup.dir,
            interval_minutes=settings.backup.interval_minutes,
            retention_days=settings.backup.retention_days,
            now=utcnow(),
            after=lambda result, now: copy_offsite(settings.storage, result, now),
        )
        loops["db-backups"] = lambda: _backup_loop(schedule)
    runtime = HeartbeatRuntime(
        settings,
        process.database,
        replica_id=process.replica_id,
        api_url=process.api_url,
        loops=loops,
        ticks=process.ticks,
    )
    runtime.backup_schedule = schedule
    try:
        await runtime.start()
    except BaseException:
        await runtime.stop()  # what did start (the runner, say) must not outlive a failed start-up
        raise
    return runtime


async def _authenticated_start(process: ServerProcess) -> None:
    """Authenticated mode: the env's first admin (headless installs), then the board claim URL when
    the only admin is the local board of a formerly local_trusted instance."""
    from paperclip.access import board_claim, first_admin
    from paperclip.secrets.startup import warn_if_not_strict

    settings = process.settings
    warn_if_not_strict(settings)
    await first_admin.ensure_env_admin(settings, process.sessions, utcnow())
    port = process.listen_port
    host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    base_url = settings.auth_public_base_url or f"http://{host}:{port}"
    if await board_claim.announce(process.sessions, base_url, utcnow()) is None:
        await _automatic_bootstrap_invite(process, base_url)


async def _automatic_bootstrap_invite(process: ServerProcess, base_url: str) -> None:
    """No admin and no live bootstrap invite: make one and print its link (what `run` does in the original)."""
    from paperclip.access.invites import create_bootstrap_invite
    from paperclip.db.models import Invite

    now = utcnow()
    async with unit_of_work(process.sessions) as session:
        await access_queries.BOOTSTRAP_LOCK.execute(session)  # replicas starting together
        if await session.scalar(sa.select(sa.exists().where(InstanceUserRole.role == "instance_admin"))):
            return
        if await session.scalar(
            sa.select(
                sa.exists().where(
                    Invite.invite_type == "bootstrap_ceo",
                    Invite.revoked_at.is_(None),
                    Invite.accepted_at.is_(None),
                    Invite.expires_at > now,
                )
            )
        ):
            print(
                "\n  Instance setup required: a bootstrap CEO invite is active. For a new link run"
                " `paperclipai auth bootstrap-ceo`.\n",
                flush=True,
            )
            return
        token, invite = await create_bootstrap_invite(session, now)
    print(
        f"\n  Instance setup required: open this link to create the first admin account.\n"
        f"  Invite URL: {base_url.rstrip('/')}/invite/{token}\n"
        f"  Expires: {invite.expires_at.isoformat(timespec='seconds')}\n",
        flush=True,
    )
    log.warning("Instance setup required: a bootstrap CEO invite was created (its link is on the console)")


async def _backup_loop(schedule: BackupSchedule) -> None:
    while True:
        # Sleep until due (at least a second, so a clock jump cannot make this spin).
        await asyncio.sleep(max(schedule.seconds_until_due(utcnow()), 1.0))
        try:
            result = await asyncio.to_thread(schedule.run_if_due, utcnow())
        except Exception as exc:
            log.warning("Scheduled database backup failed: %s", getattr(exc, "message", exc))
            continue
        if result is not None:
            log.info(
                "Database backup written to %s (%d bytes, %d pruned)",
                result.backup_file,
                result.size_bytes,
                result.pruned_count,
            )

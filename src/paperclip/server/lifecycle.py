"""What the server does right after start and right before stop: local board, scheduler, backups."""

from __future__ import annotations

import asyncio
import gc
import logging

import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.dialects.postgresql import insert

from paperclip.auth.actor import LOCAL_BOARD_USER_ID
from paperclip.clock import utcnow
from paperclip.db.backup import BackupSchedule
from paperclip.db.engine import unit_of_work
from paperclip.db.models import Company, CompanyMembership, InstanceUserRole, SchedulerHeartbeat, User
from paperclip.heartbeat.loop import SchedulerLoop
from paperclip.heartbeat.recovery import start_heartbeat, stop_heartbeat
from paperclip.heartbeat.tick import scheduler_tick
from paperclip.secrets.cleanup import sweep_loop as secrets_sweep_loop
from paperclip.server.database import backup_source_url
from paperclip.storage.backups import copy_offsite
from paperclip.storage.cleanup import sweep_loop as storage_sweep_loop

log = logging.getLogger("paperclip.server")


async def ensure_local_board(app: FastAPI) -> None:
    """local_trusted: user `local-board`, instance admin, owner of every company (deploy §5.3)."""
    async with unit_of_work(app.state.sessions) as session:
        await session.execute(insert(User).values(id=LOCAL_BOARD_USER_ID, name="Board", email="local@paperclip.local",
                                                  email_verified=True).on_conflict_do_nothing())
        await session.execute(insert(InstanceUserRole).values(user_id=LOCAL_BOARD_USER_ID, role="instance_admin")
                              .on_conflict_do_nothing())
        companies = (await session.scalars(sa.select(Company.id))).all()
        if companies:
            await session.execute(insert(CompanyMembership).values([
                {"company_id": cid, "principal_type": "user", "principal_id": LOCAL_BOARD_USER_ID,
                 "status": "active", "membership_role": "owner"} for cid in companies]).on_conflict_do_nothing())


async def on_startup(app: FastAPI) -> None:
    """`app.state.role`: "all" (one process does everything), "http" (a worker that only serves
    requests) or "background" (the process that runs heartbeats, the scheduler and backups).

    `app.state.freeze_heap` (server processes): what start-up built lives as long as the process,
    so once started it is moved out of the garbage collector's sight (gc.freeze). A full
    collection otherwise walks those ~150,000 objects: a 100+ ms pause, measured in the middle of
    a burst of runs."""
    await _start(app)
    if getattr(app.state, "freeze_heap", False):
        gc.freeze()  # no collection first: start-up leaves next to no garbage (measured: 0 objects)


async def _start(app: FastAPI) -> None:
    settings = app.state.settings
    role = getattr(app.state, "role", "all")
    if settings.is_local_trusted and role != "http":
        await ensure_local_board(app)
    if not settings.is_local_trusted and role != "http":
        await _authenticated_start(app)
    app.state.background = []
    app.state.scheduler = None
    app.state.backup_schedule = None
    if role == "http":
        return  # wake-ups reach the background process through the database (NOTIFY)
    async with unit_of_work(app.state.sessions) as session:
        await session.execute(insert(SchedulerHeartbeat).values(
            replica_id=app.state.replica_id, pid=__import__("os").getpid(),
            hostname=__import__("socket").gethostname()).on_conflict_do_nothing())
    await start_heartbeat(app)
    if settings.heartbeat_scheduler_enabled:
        loop = SchedulerLoop(lambda now: scheduler_tick(app, now), settings.heartbeat_interval_ms)
        app.state.scheduler = loop
        loop.start()
    app.state.background.append(asyncio.create_task(
        storage_sweep_loop(app.state.sessions, settings.storage), name="storage-deletions"))
    app.state.background.append(asyncio.create_task(  # managed AWS copies of deleted secrets / companies
        secrets_sweep_loop(app.state.sessions, settings), name="secret-deletions"))
    if settings.backup.enabled:
        app.state.backup_schedule = BackupSchedule.starting(
            backup_source_url(settings, app.state.database_url), backup_dir=settings.backup.dir,
            interval_minutes=settings.backup.interval_minutes, retention_days=settings.backup.retention_days, now=utcnow(),
            after=lambda result, now: copy_offsite(settings.storage, result, now))
        app.state.background.append(asyncio.create_task(_backup_loop(app.state.backup_schedule), name="db-backups"))


async def _authenticated_start(app: FastAPI) -> None:
    """Authenticated mode: the env's first admin (headless installs), then the board claim URL when
    the only admin is the local board of a formerly local_trusted instance."""
    from paperclip.auth import board_claim, first_admin
    from paperclip.secrets.startup import warn_if_not_strict

    settings = app.state.settings
    warn_if_not_strict(settings)
    await first_admin.ensure_env_admin(app, utcnow())
    port = getattr(app.state, "listen_port", settings.port)
    host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    base_url = settings.auth_public_base_url or f"http://{host}:{port}"
    if await board_claim.announce(app, base_url, utcnow()) is None:
        await _automatic_bootstrap_invite(app, base_url)


async def _automatic_bootstrap_invite(app: FastAPI, base_url: str) -> None:
    """No admin and no live bootstrap invite: make one and print its link (what `run` does in the original)."""
    from paperclip.auth.invites import create_bootstrap_invite
    from paperclip.db.models import Invite

    now = utcnow()
    async with unit_of_work(app.state.sessions) as session:
        await session.execute(sa.text("SELECT pg_advisory_xact_lock(4242002)"))  # replicas starting together
        if await session.scalar(sa.select(sa.exists().where(InstanceUserRole.role == "instance_admin"))):
            return
        if await session.scalar(sa.select(sa.exists().where(
                Invite.invite_type == "bootstrap_ceo", Invite.revoked_at.is_(None), Invite.accepted_at.is_(None),
                Invite.expires_at > now))):
            print("\n  Instance setup required: a bootstrap CEO invite is active. For a new link run"
                  " `paperclipai auth bootstrap-ceo`.\n", flush=True)
            return
        token, invite = await create_bootstrap_invite(session, now)
    print(f"\n  Instance setup required: open this link to create the first admin account.\n"
          f"  Invite URL: {base_url.rstrip('/')}/invite/{token}\n"
          f"  Expires: {invite.expires_at.isoformat(timespec='seconds')}\n", flush=True)
    log.warning("Instance setup required: a bootstrap CEO invite was created (its link is on the console)")


async def on_shutdown(app: FastAPI) -> None:
    scheduler = getattr(app.state, "scheduler", None)
    if scheduler is not None:
        await scheduler.stop()
    await stop_heartbeat(app)
    for task in getattr(app.state, "background", []):
        task.cancel()
    for task in getattr(app.state, "background", []):
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass


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
            log.info("Database backup written to %s (%d bytes, %d pruned)", result.backup_file, result.size_bytes, result.pruned_count)

"""GET /api/health: liveness plus the deployment facts monitors and the CLI read (deploy §9)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse

from paperclip import __version__
from paperclip.api.responses import returns
from paperclip.db.models import InstanceUserRole, Invite
from paperclip.errors import AppError
from paperclip.feature_router import FeatureRouter
from paperclip.health import queries

router = FeatureRouter()
# Monitors poll this with short timeouts of their own; a hung database (frozen host, packets
# dropped) must turn into a prompt 503, not a request that never answers.
DB_PROBE_TIMEOUT_SECONDS = 3
# Probes given up on keep running (cancelled) in the background: cleaning up a connection to a
# frozen server can itself block for the driver's connect timeout, and a monitor must not wait for it.
_abandoned_probes: set[asyncio.Task] = set()


async def _bootstrap_facts(request: Request) -> tuple[str, bool]:
    """(bootstrapStatus, bootstrapInviteActive), read from the database; any failure propagates."""
    async with request.app.state.health_sessions() as session:
        if request.app.state.settings.is_local_trusted:
            await queries.PING.execute(session)
            return "ready", False
        has_admin = await session.scalar(
            sa.select(sa.exists().where(InstanceUserRole.role == "instance_admin"))
        )
        if has_admin:
            return "ready", False
        invite_active = bool(
            await session.scalar(
                sa.select(
                    sa.exists().where(
                        Invite.invite_type == "bootstrap_ceo",
                        Invite.revoked_at.is_(None),
                        Invite.accepted_at.is_(None),
                        sa.or_(Invite.expires_at.is_(None), Invite.expires_at > sa.func.now()),
                    )
                )
            )
        )
        return "bootstrap_pending", invite_active


def _forget(task: asyncio.Task) -> None:
    _abandoned_probes.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved


async def _probe(request: Request) -> tuple[str, bool]:
    task = asyncio.ensure_future(_bootstrap_facts(request))
    done, _ = await asyncio.wait({task}, timeout=DB_PROBE_TIMEOUT_SECONDS)
    if task not in done:
        task.cancel()
        _abandoned_probes.add(task)
        task.add_done_callback(_forget)
        raise TimeoutError("database probe timed out")
    return task.result()


async def _identified(request: Request) -> bool:
    """Full detail goes to a signed-in board user or an agent; a bad credential is just anonymous here."""
    headers = request.headers
    if not headers.get("authorization") and "session_token" not in (headers.get("cookie") or ""):
        return False
    from paperclip.api.deps import maybe_actor  # late: deps imports the auth stack
    from paperclip.api.unit_of_work import SCOPE_KEY

    try:
        actor = await maybe_actor(request, request.scope[SCOPE_KEY].get_session())
    except AppError:
        return False
    return actor.type != "none"


@router.get("/health")
@returns("Health")
@returns("Unhealthy", status=503, description="The database cannot be reached")
async def health(request: Request):
    settings = request.app.state.settings
    try:
        bootstrap_status, invite_active = await _probe(request)
    except (
        Exception
    ):  # any failure to reach the database (TimeoutError included) is the same answer to a monitor
        return JSONResponse(
            {"status": "unhealthy", "version": __version__, "error": "database_unreachable"}, status_code=503
        )
    if not settings.is_local_trusted and not await _identified(request):
        # Authenticated mode, anonymous caller: the original's reduced answer (no version, no features).
        # (plus the production guide's `deployment` block, which only repeats mode and exposure)
        return {
            "status": "ok",
            "deploymentMode": settings.deployment_mode,
            "deploymentExposure": settings.deployment_exposure,
            "bootstrapStatus": bootstrap_status,
            "bootstrapInviteActive": invite_active,
            "deployment": {
                "mode": settings.deployment_mode,
                "exposure": settings.deployment_exposure,
                "authReady": True,
            },
        }
    return {
        "status": "ok",
        "version": __version__,
        "deploymentMode": settings.deployment_mode,
        "deploymentExposure": settings.deployment_exposure,
        "authReady": True,
        "bootstrapStatus": bootstrap_status,
        "bootstrapInviteActive": invite_active,
        "features": {"companyDeletionEnabled": settings.company_deletion_enabled},
        # The production guide's shape, for monitors written from it.
        "deployment": {
            "mode": settings.deployment_mode,
            "exposure": settings.deployment_exposure,
            "authReady": True,
        },
    }

"""GET /api/health: liveness plus the deployment facts monitors and the CLI read (deploy §9)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from paperclip import __version__
from paperclip.db.models import InstanceUserRole, Invite

router = APIRouter()
# Monitors poll this with short timeouts of their own; a hung database (frozen host, packets
# dropped) must turn into a prompt 503, not a request that never answers.
DB_PROBE_TIMEOUT_SECONDS = 3


@router.get("/health")
async def health(request: Request):
    settings = request.app.state.settings
    try:
        async with asyncio.timeout(DB_PROBE_TIMEOUT_SECONDS), request.app.state.sessions() as session:
            if settings.is_local_trusted:
                await session.execute(sa.text("SELECT 1"))
                bootstrap_status, invite_active = "ready", False
            else:
                has_admin = await session.scalar(
                    sa.select(sa.exists().where(InstanceUserRole.role == "instance_admin"))
                )
                bootstrap_status = "ready" if has_admin else "bootstrap_pending"
                invite_active = False
                if not has_admin:
                    invite_active = bool(await session.scalar(sa.select(sa.exists().where(
                        Invite.invite_type == "bootstrap_ceo", Invite.revoked_at.is_(None),
                        Invite.accepted_at.is_(None), sa.or_(Invite.expires_at.is_(None), Invite.expires_at > sa.func.now()),
                    ))))
    except Exception:  # any failure to reach the database (TimeoutError included) is the same answer to a monitor
        return JSONResponse({"status": "unhealthy", "version": __version__, "error": "database_unreachable"}, status_code=503)
    return {
        "status": "ok",
        "version": __version__,
        "deploymentMode": settings.deployment_mode,
        "deploymentExposure": settings.deployment_exposure,
        "authReady": True,
        "bootstrapStatus": bootstrap_status,
        "bootstrapInviteActive": invite_active,
        "features": {"companyDeletionEnabled": settings.company_deletion_enabled},
    }

"""/api routines routes (core §4.2): routines, triggers, manual/api runs, run history."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.auth.ids import path_uuid
from paperclip.config import Settings
from paperclip.feature_router import FeatureRouter
from paperclip.routines import service, triggers, webhook
from paperclip.routines.schemas import (
    RoutineCreate,
    RoutinePatch,
    RunRequest,
    TriggerCreate,
    TriggerPatch,
    routine_to_wire,
    run_to_wire,
    trigger_to_wire,
)

router = FeatureRouter(tags=["routines"])
COMPANY = "Company not found"
ROUTINE = service.NOT_FOUND
TRIGGER = triggers.NOT_FOUND


def _base_url(request: Request, settings: Settings) -> str:
    return settings.auth_public_base_url or str(request.base_url)


@router.get("/companies/{company_id}/routines")
@returns("list[RoutineListEntry]")
async def list_routines(
    company_id: str, session: DB, actor: ActorDep, page: PageDep, projectId: str | None = None
):
    company = path_uuid(company_id, COMPANY)
    return page.respond(
        await service.list_routines(session, actor, company, project_id=projectId, window=page.window)
    )


@router.post("/companies/{company_id}/routines", status_code=201)
@returns("Routine")
async def create_routine(company_id: str, body: RoutineCreate, session: DB, actor: ActorDep, now: Now):
    return routine_to_wire(
        await service.create_routine(session, actor, path_uuid(company_id, COMPANY), body, now)
    )


@router.get("/routines/{routine_id}")
@returns("RoutineDetail")
async def get_routine(routine_id: str, session: DB, actor: ActorDep):
    return await service.routine_detail(session, actor, path_uuid(routine_id, ROUTINE))


@router.patch("/routines/{routine_id}")
@returns("Routine")
async def update_routine(routine_id: str, body: RoutinePatch, session: DB, actor: ActorDep, now: Now):
    return routine_to_wire(
        await service.update_routine(session, actor, path_uuid(routine_id, ROUTINE), body, now)
    )


@router.get("/routines/{routine_id}/runs")
@returns("list[RoutineRunEntry]")
async def list_runs(routine_id: str, session: DB, actor: ActorDep, limit: str | None = None):
    return await service.list_runs(session, actor, path_uuid(routine_id, ROUTINE), limit)


@router.post("/routines/{routine_id}/run", status_code=202)
@returns("RoutineRun")
async def run_routine(routine_id: str, body: RunRequest, session: DB, actor: ActorDep, now: Now):
    fired = await service.run_routine(session, actor, path_uuid(routine_id, ROUTINE), body, now)
    return run_to_wire(fired.run)


@router.post("/routines/{routine_id}/triggers", status_code=201)
@returns("TriggerWithSecret")
async def create_trigger(
    routine_id: str,
    body: TriggerCreate,
    request: Request,
    session: DB,
    actor: ActorDep,
    settings: SettingsDep,
    now: Now,
):
    return await triggers.create_trigger(
        session,
        actor,
        path_uuid(routine_id, ROUTINE),
        body,
        now,
        settings=settings,
        base_url=_base_url(request, settings),
    )


@router.patch("/routine-triggers/{trigger_id}")
@returns("Trigger")
async def update_trigger(trigger_id: str, body: TriggerPatch, session: DB, actor: ActorDep, now: Now):
    return trigger_to_wire(
        await triggers.update_trigger(session, actor, path_uuid(trigger_id, TRIGGER), body, now)
    )


@router.delete("/routine-triggers/{trigger_id}", status_code=204)
@returns(None)
async def delete_trigger(trigger_id: str, session: DB, actor: ActorDep):
    await triggers.delete_trigger(session, actor, path_uuid(trigger_id, TRIGGER))
    return Response(status_code=204)


@router.post("/routine-triggers/{trigger_id}/rotate-secret")
@returns("TriggerWithSecret")
async def rotate_secret(
    trigger_id: str, request: Request, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return await triggers.rotate_secret(
        session, actor, settings, path_uuid(trigger_id, TRIGGER), now, base_url=_base_url(request, settings)
    )


@router.post("/routine-triggers/public/{public_id}/fire", status_code=202)
@returns("RoutineRun")
async def fire_webhook(public_id: str, request: Request, session: DB, settings: SettingsDep, now: Now):
    """Anonymous on purpose: the trigger's signing secret authenticates the call (routines/webhook.py),
    so no actor is resolved — a bearer secret in Authorization is not an API key."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > webhook.MAX_PAYLOAD_BYTES:
        raise webhook.PayloadTooLarge(
            "Webhook payload too large", details={"limitBytes": webhook.MAX_PAYLOAD_BYTES}
        )
    body = await request.body()
    fired = await webhook.fire_webhook(session, settings, public_id, request.headers, body, now)
    return run_to_wire(fired.run)

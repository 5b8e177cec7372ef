"""/api/companies/{id}/secrets, /api/secrets/{id} and /api/companies/{id}/secret-providers (board only);
the catalog (metadata, board and agents) and /api/agents/me/secrets (run-bound agents, bound secrets only)."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.auth.ids import path_uuid
from paperclip.companies.service import get_company
from paperclip.feature_router import FeatureRouter
from paperclip.secrets import agent_access, service
from paperclip.secrets.cleanup import delete_queued_after_response
from paperclip.secrets.providers.registry import providers_to_wire
from paperclip.secrets.schemas import SecretCreate, SecretPatch, SecretRotate, secret_to_wire, version_to_wire

router = FeatureRouter(tags=["secrets"])
COMPANY = "Company not found"
SECRET = service.NOT_FOUND


@router.get("/companies/{company_id}/secret-providers")
async def list_providers(company_id: str, session: DB, actor: ActorDep, settings: SettingsDep):
    actor.require_board()
    await get_company(session, actor, path_uuid(company_id, COMPANY))
    return providers_to_wire(settings)


@router.get("/companies/{company_id}/secrets")
async def list_secrets(company_id: str, session: DB, actor: ActorDep):
    cid = path_uuid(company_id, COMPANY)
    secrets = await service.list_secrets(session, actor, cid)
    counts = await service.reference_counts(session, cid) if secrets else {}
    return [secret_to_wire(s, counts.get(str(s.id), 0)) for s in secrets]


@router.post("/companies/{company_id}/secrets", status_code=201)
async def create_secret(
    company_id: str, body: SecretCreate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return secret_to_wire(
        await service.create_secret(session, actor, settings, path_uuid(company_id, COMPANY), body, now)
    )


@router.get("/companies/{company_id}/secrets/catalog")
async def secrets_catalog(company_id: str, session: DB, actor: ActorDep):
    return await agent_access.catalog(session, actor, path_uuid(company_id, COMPANY))


@router.get("/agents/me/secrets")
async def my_secrets(session: DB, actor: ActorDep):
    actor.require_authenticated()
    return await agent_access.list_for_run(session, actor)


@router.post("/agents/me/secrets/{key}/value")
async def my_secret_value(key: str, session: DB, actor: ActorDep, settings: SettingsDep):
    actor.require_authenticated()
    return await agent_access.value_for_run(session, actor, settings, key)


@router.get("/secrets/{secret_id}")
async def get_secret(secret_id: str, session: DB, actor: ActorDep):
    return secret_to_wire(await service.get_secret(session, actor, path_uuid(secret_id, SECRET)))


@router.get("/secrets/{secret_id}/versions")
async def list_versions(secret_id: str, session: DB, actor: ActorDep):
    return [
        version_to_wire(v) for v in await service.list_versions(session, actor, path_uuid(secret_id, SECRET))
    ]


@router.get("/secrets/{secret_id}/usage")
async def secret_usage(secret_id: str, session: DB, actor: ActorDep):
    return await service.usage(session, actor, path_uuid(secret_id, SECRET))


@router.patch("/secrets/{secret_id}")
async def update_secret(secret_id: str, body: SecretPatch, session: DB, actor: ActorDep, now: Now):
    return secret_to_wire(
        await service.update_secret(session, actor, path_uuid(secret_id, SECRET), body, now)
    )


@router.post("/secrets/{secret_id}/rotate")
async def rotate_secret(
    secret_id: str, body: SecretRotate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return secret_to_wire(
        await service.rotate_secret(session, actor, settings, path_uuid(secret_id, SECRET), body, now)
    )


@router.delete("/secrets/{secret_id}")
async def delete_secret(
    secret_id: str,
    session: DB,
    actor: ActorDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    request: Request,
):
    await service.delete_secret(session, actor, settings, path_uuid(secret_id, SECRET))
    delete_queued_after_response(background, request)  # a managed copy in AWS, queued by the database
    return {"ok": True}

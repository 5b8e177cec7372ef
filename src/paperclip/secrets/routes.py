"""/api/companies/{id}/secrets, /api/secrets/{id} and /api/companies/{id}/secret-providers (board only);
the catalog (metadata, board and agents) and /api/agents/me/secrets (run-bound agents, bound secrets only)."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import Ok, returns
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
@returns("list[SecretProvider]")
async def list_providers(company_id: str, session: DB, actor: ActorDep, settings: SettingsDep):
    actor.require_board()
    await get_company(session, actor, path_uuid(company_id, COMPANY))
    return providers_to_wire(settings)


@router.get("/companies/{company_id}/secrets")
@returns("list[Secret]")
async def list_secrets(company_id: str, session: DB, actor: ActorDep, page: PageDep):
    cid = path_uuid(company_id, COMPANY)
    secrets = await service.list_secrets(session, actor, cid, page.window)
    counts = await service.reference_counts(session, cid) if secrets else {}
    return page.respond([secret_to_wire(s, counts.get(str(s.id), 0)) for s in secrets])


@router.post("/companies/{company_id}/secrets", status_code=201)
@returns("Secret")
async def create_secret(
    company_id: str, body: SecretCreate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return secret_to_wire(
        await service.create_secret(session, actor, settings, path_uuid(company_id, COMPANY), body, now)
    )


@router.get("/companies/{company_id}/secrets/catalog")
@returns("list[CatalogEntry]")
async def secrets_catalog(company_id: str, session: DB, actor: ActorDep, page: PageDep):
    return page.respond(
        await agent_access.catalog(session, actor, path_uuid(company_id, COMPANY), page.window)
    )


@router.get("/agents/me/secrets")
@returns("RunSecrets")
async def my_secrets(session: DB, actor: ActorDep):
    actor.require_authenticated()
    return await agent_access.list_for_run(session, actor)


@router.post("/agents/me/secrets/{key}/value")
@returns("RunSecretValue")
async def my_secret_value(key: str, session: DB, actor: ActorDep, settings: SettingsDep):
    actor.require_authenticated()
    return await agent_access.value_for_run(session, actor, settings, key)


@router.get("/secrets/{secret_id}")
@returns("Secret")
async def get_secret(secret_id: str, session: DB, actor: ActorDep):
    return secret_to_wire(await service.get_secret(session, actor, path_uuid(secret_id, SECRET)))


@router.get("/secrets/{secret_id}/versions")
@returns("list[SecretVersion]")
async def list_versions(secret_id: str, session: DB, actor: ActorDep, page: PageDep):
    versions = await service.list_versions(session, actor, path_uuid(secret_id, SECRET), page.window)
    return page.respond([version_to_wire(v) for v in versions])


@router.get("/secrets/{secret_id}/usage")
@returns("SecretUsage")
async def secret_usage(secret_id: str, session: DB, actor: ActorDep):
    return await service.usage(session, actor, path_uuid(secret_id, SECRET))


@router.patch("/secrets/{secret_id}")
@returns("Secret")
async def update_secret(secret_id: str, body: SecretPatch, session: DB, actor: ActorDep, now: Now):
    return secret_to_wire(
        await service.update_secret(session, actor, path_uuid(secret_id, SECRET), body, now)
    )


@router.post("/secrets/{secret_id}/rotate")
@returns("Secret")
async def rotate_secret(
    secret_id: str, body: SecretRotate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return secret_to_wire(
        await service.rotate_secret(session, actor, settings, path_uuid(secret_id, SECRET), body, now)
    )


@router.delete("/secrets/{secret_id}")
@returns(Ok)
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

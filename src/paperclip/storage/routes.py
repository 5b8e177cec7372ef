"""Routes of stored files: company images and logos, issue attachments, and their content."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import Ok, returns
from paperclip.auth.ids import path_uuid
from paperclip.feature_router import FeatureRouter
from paperclip.storage import cleanup, service
from paperclip.storage.serving import content_response, file_content

router = FeatureRouter(tags=["assets"])
COMPANY_NOT_FOUND = "Company not found"


@router.post("/companies/{company_id}/assets/images", status_code=201)
@returns("StoredAsset")
async def upload_image(
    company_id: str, request: Request, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    cid = path_uuid(company_id, COMPANY_NOT_FOUND)
    return await service.upload_asset(session, actor, request, settings.storage, cid, now)


@router.post("/companies/{company_id}/logo", status_code=201)
@returns("StoredAsset")
async def upload_logo(
    company_id: str, request: Request, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    cid = path_uuid(company_id, COMPANY_NOT_FOUND)
    return await service.upload_asset(session, actor, request, settings.storage, cid, now, logo=True)


@router.get("/assets/{asset_id}/content")
@file_content
async def asset_content(
    asset_id: str,
    request: Request,
    session: DB,
    actor: ActorDep,
    settings: SettingsDep,
    download: str | None = None,
):
    asset = await service.readable_asset(session, actor, asset_id)
    return await content_response(request, settings.storage, asset, download=download in ("1", "true"))


@router.post("/companies/{company_id}/issues/{issue_id}/attachments", status_code=201)
@returns("Attachment")
async def upload_attachment(
    company_id: str,
    issue_id: str,
    request: Request,
    session: DB,
    actor: ActorDep,
    settings: SettingsDep,
    now: Now,
):
    cid = path_uuid(company_id, COMPANY_NOT_FOUND)
    return await service.upload_attachment(session, actor, request, settings.storage, cid, issue_id, now)


@router.get("/issues/{issue_id}/attachments")
@returns("list[Attachment]")
async def list_attachments(issue_id: str, session: DB, actor: ActorDep, page: PageDep):
    return page.respond(await service.list_attachments(session, actor, issue_id, page.window))


@router.get("/attachments/{attachment_id}/content")
@file_content
async def attachment_content(
    attachment_id: str,
    request: Request,
    session: DB,
    actor: ActorDep,
    settings: SettingsDep,
    download: str | None = None,
):
    _, asset = await service.readable_attachment(session, actor, attachment_id)
    return await content_response(request, settings.storage, asset, download=download in ("1", "true"))


@router.delete("/attachments/{attachment_id}")
@returns(Ok)
async def delete_attachment(
    attachment_id: str, request: Request, session: DB, actor: ActorDep, background: BackgroundTasks
):
    result = await service.delete_attachment(session, actor, attachment_id)
    cleanup.remove_queued_objects_after_response(background, request)
    return result

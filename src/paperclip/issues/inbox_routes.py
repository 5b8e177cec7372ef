"""Routes of a board user's inbox state and of work products (the original's paths, statuses and
bodies). Thin: parse, call one service."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import Query
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter
from paperclip.issues import inbox, work_products
from paperclip.issues.shapes import json_response
from paperclip.issues.work_products import WorkProductCreate, WorkProductUpdate

router = FeatureRouter(tags=["issue inbox", "work products"])

QStr = Annotated[str | None, Query(max_length=10_000)]


@router.post("/issues/{issue_id}/read")
@returns("ReadMark")
async def mark_read(issue_id: str, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await inbox.mark_read(session, actor, issue_id, now))


@router.delete("/issues/{issue_id}/read")
@returns("ReadMarkRemoved")
async def mark_unread(issue_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await inbox.mark_unread(session, actor, issue_id))


@router.post("/issues/{issue_id}/inbox-archive")
@returns("InboxArchive")
async def archive(issue_id: str, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await inbox.archive(session, actor, issue_id, now))


@router.delete("/issues/{issue_id}/inbox-archive")
@returns("InboxArchive | ArchiveRemoved")
async def unarchive(issue_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await inbox.unarchive(session, actor, issue_id))


@router.get("/agents/me/inbox/mine")
@returns("list[InboxIssue]")
async def inbox_mine(
    session: DB, actor: ActorDep, page: PageDep, userId: QStr = None, status: QStr = None
) -> Response:  # noqa: N803
    return page.respond(orjson.loads(await inbox.inbox_mine(session, actor, userId, status, page.window)))


@router.get("/issues/{issue_id}/work-products")
@returns("list[WorkProduct]")
async def list_work_products(issue_id: str, session: DB, actor: ActorDep, page: PageDep) -> Response:
    return page.respond(await work_products.list_products(session, actor, issue_id, page.window))


@router.post("/issues/{issue_id}/work-products", status_code=201)
@returns("WorkProduct")
async def create_work_product(
    issue_id: str, body: WorkProductCreate, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await work_products.create_product(session, actor, issue_id, body, now), 201)


@router.patch("/work-products/{work_product_id}")
@returns("WorkProduct")
async def update_work_product(
    work_product_id: str, body: WorkProductUpdate, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await work_products.update_product(session, actor, work_product_id, body, now))


@router.delete("/work-products/{work_product_id}")
@returns("WorkProduct")
async def delete_work_product(work_product_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await work_products.delete_product(session, actor, work_product_id))

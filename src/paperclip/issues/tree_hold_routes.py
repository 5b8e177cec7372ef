"""Routes of tree control and tree holds (the original's paths, statuses and bodies). Thin: parse, call
one service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter
from paperclip.issues import tree_holds
from paperclip.issues.shapes import json_response
from paperclip.issues.tree_holds import HoldCreate, HoldRelease, PreviewBody

router = FeatureRouter(tags=["issue tree control"])
QStr = Annotated[str | None, Query(max_length=100)]


@router.get("/issues/{issue_id}/tree-control/state")
@returns("TreeControlState")
async def tree_state(issue_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await tree_holds.state(session, actor, issue_id))


@router.post("/issues/{issue_id}/tree-control/preview")
@returns("TreeControlPreview")
async def tree_preview(issue_id: str, body: PreviewBody, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await tree_holds.preview(session, actor, issue_id, body, now))


@router.get("/issues/{issue_id}/tree-holds")
@returns("list[TreeHoldRow]")
async def list_holds(
    issue_id: str,
    session: DB,
    actor: ActorDep,
    page: PageDep,
    status: QStr = None,
    mode: QStr = None,
    includeMembers: bool = False,  # noqa: N803
) -> Response:
    holds = await tree_holds.list_holds(session, actor, issue_id, status, mode, includeMembers, page.window)
    return page.respond(holds)


@router.post("/issues/{issue_id}/tree-holds", status_code=201)
@returns("TreeHoldCreated", description="A pause or cancel hold, active until released")
@returns("TreeHoldCreated", status=200, description="A resume or restore: released as it is made")
async def create_hold(issue_id: str, body: HoldCreate, session: DB, actor: ActorDep, now: Now) -> Response:
    result, status = await tree_holds.create_hold(session, actor, issue_id, body, now)
    return json_response(result, status)


@router.get("/issues/{issue_id}/tree-holds/{hold_id}")
@returns("TreeHold")
async def get_hold(issue_id: str, hold_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await tree_holds.get_hold(session, actor, issue_id, hold_id))


@router.post("/issues/{issue_id}/tree-holds/{hold_id}/release")
@returns("TreeHold")
async def release_hold(
    issue_id: str, hold_id: str, body: HoldRelease, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await tree_holds.release_hold(session, actor, issue_id, hold_id, body, now))

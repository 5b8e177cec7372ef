"""Routes of issue-thread interactions (the original's paths, statuses and bodies). Thin: parse, call one
service."""

from __future__ import annotations

from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter
from paperclip.issues import interactions
from paperclip.issues.interaction_schemas import (
    AcceptBody,
    InteractionCreate,
    ReasonBody,
    RespondBody,
    VerdictsBody,
)
from paperclip.issues.shapes import json_response

router = FeatureRouter(tags=["issue interactions"])
BASE = "/issues/{issue_id}/interactions"
ONE = BASE + "/{interaction_id}"


@router.get(BASE)
@returns("list[Interaction]")
async def list_interactions(issue_id: str, session: DB, actor: ActorDep, page: PageDep) -> Response:
    return page.respond(await interactions.list_interactions(session, actor, issue_id, page.window))


@router.post(BASE, status_code=201)
@returns("Interaction")
async def create_interaction(
    issue_id: str, body: InteractionCreate, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await interactions.create_interaction(session, actor, issue_id, body, now), 201)


@router.post(ONE + "/accept")
@returns("Interaction")
async def accept(
    issue_id: str, interaction_id: str, body: AcceptBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await interactions.accept(session, actor, issue_id, interaction_id, body, now))


@router.post(ONE + "/reject")
@returns("Interaction")
async def reject(
    issue_id: str, interaction_id: str, body: ReasonBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await interactions.reject(session, actor, issue_id, interaction_id, body, now))


@router.post(ONE + "/respond")
@returns("Interaction")
async def respond(
    issue_id: str, interaction_id: str, body: RespondBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await interactions.respond(session, actor, issue_id, interaction_id, body, now))


@router.post(ONE + "/verdicts")
@returns("Interaction")
async def verdicts(
    issue_id: str, interaction_id: str, body: VerdictsBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await interactions.verdicts(session, actor, issue_id, interaction_id, body, now))


@router.post(ONE + "/cancel")
@returns("Interaction")
async def cancel(
    issue_id: str, interaction_id: str, body: ReasonBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(
        await interactions.close(session, actor, issue_id, interaction_id, body, now, how="cancel")
    )


@router.post(ONE + "/withdraw")
@returns("Interaction")
async def withdraw(
    issue_id: str, interaction_id: str, body: ReasonBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(
        await interactions.close(session, actor, issue_id, interaction_id, body, now, how="withdraw")
    )


@router.post(ONE + "/skip")
@returns("Interaction")
async def skip(
    issue_id: str, interaction_id: str, body: ReasonBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(
        await interactions.close(session, actor, issue_id, interaction_id, body, now, how="skip")
    )

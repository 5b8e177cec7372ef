"""Routes of issue-thread interactions (the original's paths, statuses and bodies). Thin: parse, call one
service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

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


def _resolution(verb: str, body_type: type, resolve: Callable[..., Awaitable[dict[str, Any]]]) -> None:
    """POST .../interactions/{id}/<verb>: one resolution of a pending interaction (`resolve` is the
    service: `(session, actor, issue, interaction, body, now)`), answering the interaction."""

    async def endpoint(
        issue_id: str, interaction_id: str, body: Any, session: DB, actor: ActorDep, now: Now
    ) -> Response:
        return json_response(await resolve(session, actor, issue_id, interaction_id, body, now))

    endpoint.__annotations__ = {**endpoint.__annotations__, "body": body_type}  # what FastAPI parses
    endpoint.__name__ = endpoint.__qualname__ = verb
    router.post(ONE + f"/{verb}")(returns("Interaction")(endpoint))


def _closing(how: str) -> Callable[..., Awaitable[dict[str, Any]]]:
    return partial(interactions.close, how=how)


_resolution("accept", AcceptBody, interactions.accept)
_resolution("reject", ReasonBody, interactions.reject)
_resolution("respond", RespondBody, interactions.respond)
_resolution("verdicts", VerdictsBody, interactions.verdicts)
_resolution("cancel", ReasonBody, _closing("cancel"))
_resolution("withdraw", ReasonBody, _closing("withdraw"))
_resolution("skip", ReasonBody, _closing("skip"))

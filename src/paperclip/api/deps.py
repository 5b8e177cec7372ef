"""Request dependencies: settings, the request's transaction, the actor, and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.api.unit_of_work import SCOPE_KEY
from paperclip.auth.actor import Actor
from paperclip.auth.origins import require_trusted_origin
from paperclip.auth.resolve import resolve_actor
from paperclip.clock import utcnow
from paperclip.config import Settings
from paperclip.errors import Forbidden, Unauthorized


async def get_settings(request: Request) -> Settings:  # async: sync deps cost a thread hop
    return request.app.state.settings


async def db_session(request: Request) -> AsyncSession:
    """The request's session; `paperclip.api.unit_of_work` commits it before the response starts."""
    return request.scope[SCOPE_KEY].get_session()


async def now() -> datetime:
    return utcnow()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DB = Annotated[AsyncSession, Depends(db_session)]
Now = Annotated[datetime, Depends(now)]


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A person's own things, which a viewer may change: account, keys, CLI logins, accepting invites.
SELF_SERVICE_PATHS = (
    "/api/auth/",
    "/api/board-api-keys",
    "/api/cli-auth/",
    "/api/invites/",
    "/api/board-claim/",
)


async def maybe_actor(request: Request, session: DB) -> Actor:
    """The caller, anonymous included (for the few public routes: invite and board-claim look-ups,
    sign-in). A credential that matches nothing is still a 401."""
    state = request.app.state
    settings = state.settings  # read directly: every dependency FastAPI resolves costs per request
    headers = request.headers
    cookie = None
    if not settings.is_local_trusted:
        cookie = state.session_cookie.read(headers.get("cookie"))
    actor = await resolve_actor(
        session,
        settings,
        authorization=headers.get("authorization"),
        run_id_header=headers.get("x-paperclip-run-id"),
        now=utcnow(),
        session_token=cookie,
        mutating=request.method not in _READ_METHODS,
    )
    if actor.source == "session" and actor.mutating:
        # CSRF: a browser's cookie rides along with any site's form; its Origin does not lie.
        require_trusted_origin(headers, state.trusted_origins)
    if (
        actor.mutating
        and actor.viewer_company_ids
        and actor.viewer_company_ids == actor.company_ids
        and not actor.is_instance_admin
        and not request.url.path.startswith(SELF_SERVICE_PATHS)
    ):
        # Someone who is only a viewer anywhere writes nothing company-scoped: refused before the body
        # is even validated (require_company refuses viewers' writes per company for everyone else).
        raise Forbidden("Viewer access is read-only")
    request.state.actor = actor
    return actor


async def current_actor(request: Request, session: DB) -> Actor:
    """The caller; in authenticated mode an anonymous caller is refused (401) before the route runs,
    so no route can reveal whether an id exists to someone who has not signed in."""
    actor = await maybe_actor(request, session)
    if actor.type == "none":
        raise Unauthorized("Unauthorized")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
MaybeActorDep = Annotated[Actor, Depends(maybe_actor)]

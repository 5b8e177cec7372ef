"""/api/auth/*: sign-up, sign-in, sign-out, session, password change, profile (Better Auth's paths)."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from paperclip.access import accounts
from paperclip.access.errors import AuthError
from paperclip.api.deps import DB, ActorDep, MaybeActorDep, Now
from paperclip.auth import sessions
from paperclip.auth.actor import Actor
from paperclip.auth.origins import is_trusted, request_origin
from paperclip.db.models import User
from paperclip.errors import BadRequest, Unauthorized
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["auth"])
JsonBody = Body(default=None)


def _fields(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("Validation error", [{"path": [], "field": "", "message": "Expected a JSON object"}])
    return body


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _signed_in(
    request: Request, token: str, user: User, status: int, extra: dict | None = None
) -> JSONResponse:
    body = {"token": None, "user": accounts.user_to_wire(user), **(extra or {})}
    response = JSONResponse(jsonable_encoder(body), status_code=status)
    request.app.state.session_cookie.set(response, token)
    return response


@router.post("/auth/sign-up/email")
async def sign_up_email(request: Request, session: DB, now: Now, body: Any = JsonBody):
    _origin_check(request)
    fields = _fields(body)
    user = await accounts.sign_up(
        session,
        request.app.state.settings,
        name=fields.get("name"),
        email=fields.get("email"),
        password=fields.get("password"),
        now=now,
        invite_token=fields.get("inviteToken") or request.query_params.get("inviteToken"),
        state=request.app.state,
        client_address=_client_address(request),
    )
    token, _ = await sessions.create_session(
        session,
        user.id,
        now,
        ip_address=_client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    return _signed_in(request, token, user, 200)


@router.post("/auth/sign-in/email")
async def sign_in_email(request: Request, session: DB, now: Now, body: Any = JsonBody):
    _origin_check(request)
    fields = _fields(body)
    user = await accounts.sign_in(
        session,
        request.app.state,
        email=fields.get("email"),
        password=fields.get("password"),
        client_address=_client_address(request),
        now=now,
    )
    token, _ = await sessions.create_session(
        session,
        user.id,
        now,
        ip_address=_client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    return _signed_in(request, token, user, 200, {"redirect": False, "url": None})


@router.post("/auth/sign-out")
async def sign_out(request: Request, session: DB):
    _origin_check(request)
    cookie = request.app.state.session_cookie
    token = cookie.read(request.headers.get("cookie"))
    if token:
        await accounts.sign_out(session, token)
    response = JSONResponse({"success": True})
    cookie.clear(response)
    return response


def _session_actor(actor: Actor) -> None:
    if actor.type != "board":
        raise Unauthorized("Board authentication required")


def _origin_check(request: Request) -> None:
    """Better Auth's rule for its own endpoints: a browser request (it carries an Origin or
    Referer) must come from a trusted origin; scripts without one are not browsers."""
    if request_origin(request.headers) is not None and not is_trusted(
        request.headers, request.app.state.trusted_origins
    ):
        raise AuthError(403, "INVALID_ORIGIN", "Invalid origin")


@router.get("/auth/get-session")
async def get_session(session: DB, actor: MaybeActorDep):
    """The original's shim: 401 unless the caller is a board user; a compact session + user.
    `sentryDsn` (we report errors nowhere: null) must be present: the original's web app waits for the
    key before it loads the sidebar preferences."""
    _session_actor(actor)
    session_id = f"paperclip:{actor.source}:{actor.user_id}"
    if actor.source == "local_implicit":
        return {
            "session": {"id": session_id, "userId": actor.user_id},
            "user": {"id": actor.user_id, "email": None, "name": "Local Board", "image": None},
            "sentryDsn": None,
        }
    user = await session.get(User, actor.user_id)
    return {
        "session": {"id": session_id, "userId": actor.user_id},
        "user": {
            "id": actor.user_id,
            "email": user.email if user else None,
            "name": user.name if user else None,
            "image": user.image if user else None,
        },
        "sentryDsn": None,
    }


@router.post("/auth/change-password")
async def change_password(session: DB, actor: ActorDep, now: Now, body: Any = JsonBody):
    """`{currentPassword, newPassword}`: every other session of the user is signed out."""
    fields = _fields(body)
    if actor.source != "session":
        raise Unauthorized("Sign in to change your password")
    revoked = await accounts.change_password(
        session,
        actor.user_id,
        current_password=fields.get("currentPassword"),
        new_password=fields.get("newPassword"),
        keep_session_id=actor.session_id,
        now=now,
    )
    return {"status": True, "revokedSessions": revoked}


@router.get("/auth/profile")
async def get_profile(session: DB, actor: ActorDep):
    actor.require_board()
    user = await session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized("Unauthorized")
    return jsonable_encoder(accounts.user_to_wire(user))


@router.patch("/auth/profile")
async def update_profile(session: DB, actor: ActorDep, now: Now, body: Any = JsonBody):
    actor.require_board()
    fields = _fields(body)
    name = fields.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > accounts.MAX_NAME_LENGTH:
        raise BadRequest(
            "Validation error", [{"path": ["name"], "field": "name", "message": "Name is required"}]
        )
    user = await session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized("Unauthorized")
    user.name = name.strip()
    if "image" in fields:
        image = fields["image"]
        user.image = image if isinstance(image, str) and image else None
    user.updated_at = now
    return jsonable_encoder(accounts.user_to_wire(user))

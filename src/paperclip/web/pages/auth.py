"""/auth: sign in and sign up (authenticated mode), with the auth service's accounts and sessions;
the session cookie is the API's, so the board's pages and its API calls share one sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from paperclip.access import accounts
from paperclip.auth import sessions
from paperclip.clock import utcnow
from paperclip.web.context import load_actor
from paperclip.web.csrf import csrf_protect
from paperclip.web.forms import form_data
from paperclip.web.render import done, redirect, render

router = APIRouter()


def _next(raw: str | None) -> str:
    """Only a path of this site (never `//host` or a scheme)."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\\\" not in raw:
        return raw
    return "/"


@router.get("/auth")
async def auth_page(request: Request):
    if request.app.state.settings.is_local_trusted:
        return redirect("/")
    actor = await load_actor(request)
    if actor.is_board:
        return redirect(_next(request.query_params.get("next")))
    target = _next(request.query_params.get("next"))
    # Signing up from an invite link: the token lets its holder sign up even where sign-up is disabled.
    invite_token = target.removeprefix("/invite/") if target.startswith("/invite/pcp_") else ""
    return await render(
        request,
        "auth/index.html",
        next=target,
        invite_token=invite_token,
        mode="sign-up" if request.query_params.get("mode") == "sign-up" else "sign-in",
    )


async def _signed_in(request: Request, user_id: str, target: str):
    session = request.scope["paperclip.unit_of_work"].get_session()
    token, _ = await sessions.create_session(
        session,
        user_id,
        utcnow(),
        ip_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    response = done(request, target)
    request.app.state.session_cookie.set(response, token)
    return response


@router.post("/auth/sign-in", dependencies=[Depends(csrf_protect)])
async def sign_in(request: Request):
    form = await form_data(request)
    session = request.scope["paperclip.unit_of_work"].get_session()
    user = await accounts.sign_in(
        session,
        request.app.state,
        email=form.text("email"),
        password=form.get("password") or "",
        client_address=request.client.host if request.client else None,
        now=utcnow(),
    )
    return await _signed_in(request, user.id, _next(form.get("next")))


@router.post("/auth/sign-up", dependencies=[Depends(csrf_protect)])
async def sign_up(request: Request):
    form = await form_data(request)
    session = request.scope["paperclip.unit_of_work"].get_session()
    user = await accounts.sign_up(
        session,
        request.app.state.settings,
        name=form.text("name"),
        email=form.text("email"),
        password=form.get("password") or "",
        now=utcnow(),
        invite_token=form.text("inviteToken") or None,
        state=request.app.state,
        client_address=request.client.host if request.client else None,
    )
    return await _signed_in(request, user.id, _next(form.get("next")))


@router.post("/auth/sign-out", dependencies=[Depends(csrf_protect)])
async def sign_out(request: Request):
    cookie = request.app.state.session_cookie
    token = cookie.read(request.headers.get("cookie"))
    if token:
        await accounts.sign_out(request.scope["paperclip.unit_of_work"].get_session(), token)
    response = done(request, "/auth")
    cookie.clear(response)
    return response

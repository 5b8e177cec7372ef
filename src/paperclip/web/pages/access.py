"""/board-claim/<token> and /invite/<token>: the links the server prints (board claim, bootstrap
invite) and the ones a board member hands out (company invites), as pages a person can follow.

Both use the auth services directly. Signed out, each page says what the link is and offers sign
in / sign up with `next` pointing back at it; signed in, one button claims or joins.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request

from paperclip.access import board_claim, invites
from paperclip.clock import utcnow
from paperclip.db.models import Company, User
from paperclip.errors import NotFound
from paperclip.web.context import load_actor
from paperclip.web.csrf import csrf_protect
from paperclip.web.forms import form_data
from paperclip.web.render import done, render

router = APIRouter()


def _session(request: Request):
    return request.scope["paperclip.unit_of_work"].get_session()


async def _me(request: Request, actor) -> User | None:
    return await _session(request).get(User, actor.user_id) if _signed_in(actor) else None


def _signed_in(actor) -> bool:
    """A person with an account (the local_trusted implicit board cannot claim or join)."""
    return actor.type == "board" and actor.source in ("session", "board_key")


@router.get("/board-claim/{token}")
async def board_claim_page(request: Request, token: str):
    code = request.query_params.get("code")
    status = await board_claim.challenge_status(_session(request), token, code, utcnow())
    actor = await load_actor(request)
    here = f"/board-claim/{quote(token)}?{urlencode({'code': code or ''})}"
    return await render(
        request,
        "access/board_claim.html",
        claim=status,
        token=token,
        code=code or "",
        signed_in=_signed_in(actor),
        me=await _me(request, actor),
        claimed_by_me=status.get("claimedByUserId") == actor.user_id,
        next_url=here,
        local_trusted=request.app.state.settings.is_local_trusted,
    )


@router.post("/board-claim/{token}", dependencies=[Depends(csrf_protect)])
async def board_claim_submit(request: Request, token: str):
    form = await form_data(request)
    actor = await load_actor(request)
    await board_claim.claim_board(_session(request), actor, token, form.get("code"), utcnow())
    response = done(request, "/")
    response.headers["x-toast"] = "You now own this board"
    return response


def _base_url(request: Request) -> str:
    return request.app.state.settings.auth_public_base_url or str(request.base_url).rstrip("/")


@router.get("/invite/{token}")
async def invite_page(request: Request, token: str):
    session = _session(request)
    try:
        invite = await invites.invite_summary(session, token, utcnow(), _base_url(request))
    except NotFound:
        return await render(request, "access/invite_gone.html", status=404)
    actor = await load_actor(request)
    company = await session.get(Company, uuid.UUID(invite["companyId"])) if invite["companyId"] else None
    member = bool(company is not None and _signed_in(actor) and company.id in actor.company_ids)
    return await render(
        request,
        "access/invite.html",
        invite=invite,
        token=token,
        signed_in=_signed_in(actor),
        me=await _me(request, actor),
        member=member,
        target=company,
        next_url=f"/invite/{quote(token)}",
        humans=invite["allowedJoinTypes"] in ("human", "both"),
        agents=invite["allowedJoinTypes"] in ("agent", "both"),
        local_trusted=request.app.state.settings.is_local_trusted,
    )


@router.post("/invite/{token}", dependencies=[Depends(csrf_protect)])
async def invite_accept(request: Request, token: str):
    session = _session(request)
    actor = await load_actor(request)
    result = await invites.accept_invite(
        session,
        actor,
        token,
        {"requestType": "human"},
        utcnow(),
        request_ip=request.client.host if request.client else None,
    )
    target = "/"
    if result.get("companyId"):
        company = await session.get(Company, uuid.UUID(result["companyId"]))
        if company is not None:
            target = f"/{company.issue_prefix}/dashboard"
    response = done(request, target)
    response.headers["x-toast"] = (
        "Welcome aboard" if result.get("bootstrapAccepted") else "You joined the company"
    )
    return response

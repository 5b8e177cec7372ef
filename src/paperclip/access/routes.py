"""Board claim, invites, join requests, members, board API keys, CLI login, instance admin routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query, Request
from fastapi.responses import PlainTextResponse

from paperclip.access import board_claim, board_keys, invites, members
from paperclip.api.deps import DB, ActorDep, MaybeActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.auth.ids import path_uuid
from paperclip.db.models import Asset
from paperclip.errors import BadRequest, NotFound
from paperclip.feature_router import FeatureRouter
from paperclip.ids import parse_uuid
from paperclip.storage.serving import content_response, file_content

router = FeatureRouter(tags=["access"])
JsonBody = Body(default=None)


def fields(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest("Validation error", [{"path": [], "field": "", "message": "Expected a JSON object"}])
    return body


@router.get("/board-claim/{token}")
@returns("BoardClaimStatus")
async def get_board_claim(token: str, session: DB, now: Now, code: str | None = None):
    return await board_claim.challenge_status(session, token, code, now)


@router.post("/board-claim/{token}/claim")
@returns("Claimed")
async def post_board_claim(token: str, session: DB, actor: MaybeActorDep, now: Now, body: Any = JsonBody):
    return await board_claim.claim_board(session, actor, token, fields(body).get("code"), now)


@router.post("/bootstrap/claim")
@returns("Claimed")
async def post_bootstrap_claim(session: DB, actor: MaybeActorDep, settings: SettingsDep, now: Now):
    return await board_claim.bootstrap_claim(session, actor, settings.deployment_exposure, now)


def _base_url(request: Request) -> str:
    """Invite links use the configured public URL (never a proxy's internal Host), else the request's."""
    return request.app.state.settings.auth_public_base_url or str(request.base_url).rstrip("/")


def _company(company_id: str):
    return path_uuid(company_id, "Company not found")


# ------------------------------------------------------------------------------------------------ invites


@router.post("/companies/{company_id}/invites", status_code=201)
@returns("CreatedInvite")
async def create_invite(
    company_id: str, request: Request, session: DB, actor: ActorDep, now: Now, body: Any = JsonBody
):
    return await invites.create_company_invite(
        session, actor, _company(company_id), fields(body), now, _base_url(request)
    )


@router.get("/companies/{company_id}/invites")
@returns("InviteList")
async def list_invites(
    company_id: str,
    session: DB,
    actor: ActorDep,
    now: Now,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,  # the original's page
    offset: Annotated[int, Query(ge=0)] = 0,
):
    return await invites.list_company_invites(session, actor, _company(company_id), now, limit, offset)


@router.post("/invites/{invite_id}/revoke")
@returns("Invite")
async def revoke_invite(invite_id: str, session: DB, actor: ActorDep, now: Now):
    return await invites.revoke_invite(session, actor, path_uuid(invite_id, invites.NOT_FOUND), now)


@router.get("/invites/{token}")
@returns("PublicInvite")
async def get_invite(token: str, request: Request, session: DB, actor: MaybeActorDep, now: Now):
    return await invites.invite_summary(session, token, now, _base_url(request), actor)


@router.get("/invites/{token}/onboarding")
@returns("InviteOnboarding")
async def invite_onboarding(token: str, request: Request, session: DB, settings: SettingsDep, now: Now):
    return await invites.invite_onboarding(session, settings, token, now, _base_url(request))


@router.get("/invites/{token}/onboarding.txt")
@returns(media="text/plain", description="The onboarding instructions as text, for an agent to read")
async def invite_onboarding_text(token: str, request: Request, session: DB, settings: SettingsDep, now: Now):
    text = await invites.invite_onboarding_text(session, settings, token, now, _base_url(request))
    return PlainTextResponse(text, headers={"Cache-Control": "no-store"})


@router.get("/invites/{token}/logo")
@file_content
async def invite_logo(token: str, request: Request, session: DB, settings: SettingsDep, now: Now):
    """The invited company's logo, for whoever holds a live invite link (no sign-in)."""
    asset = await session.get(Asset, await invites.invite_logo_asset_id(session, token, now))
    if asset is None:
        raise NotFound("Invite logo not found")
    return await content_response(request, settings.storage, asset)


@router.post("/invites/{token}/accept", status_code=202)
@returns("AgentJoin | HumanJoin | BootstrapAccepted")
async def accept_invite(
    token: str, request: Request, session: DB, actor: MaybeActorDep, now: Now, body: Any = JsonBody
):
    return await invites.accept_invite(
        session, actor, token, fields(body), now, request_ip=request.client.host if request.client else None
    )


@router.get("/companies/{company_id}/join-requests")
@returns("list[JoinRequest]")
async def list_join_requests(
    company_id: str, session: DB, actor: ActorDep, page: PageDep, status: str | None = None
):
    return page.respond(
        await invites.list_join_requests(session, actor, _company(company_id), status, page.window)
    )


@router.post("/companies/{company_id}/join-requests/{request_id}/approve")
@returns("JoinRequest")
async def approve_join_request(
    company_id: str, request_id: str, request: Request, session: DB, actor: ActorDep, now: Now
):
    return await invites.approve_join_request(
        session,
        actor,
        _company(company_id),
        path_uuid(request_id, "Join request not found"),
        now,
        strict_secrets=request.app.state.settings.secrets.strict_mode,
    )


@router.post("/companies/{company_id}/join-requests/{request_id}/reject")
@returns("JoinRequest")
async def reject_join_request(company_id: str, request_id: str, session: DB, actor: ActorDep, now: Now):
    return await invites.reject_join_request(
        session, actor, _company(company_id), path_uuid(request_id, "Join request not found"), now
    )


@router.post("/join-requests/{request_id}/claim-api-key", status_code=201)
@returns("ClaimedApiKey")
async def claim_api_key(request_id: str, session: DB, now: Now, body: Any = JsonBody):
    return await invites.claim_agent_api_key(
        session, path_uuid(request_id, "Join request not found"), fields(body).get("claimSecret"), now
    )


# ------------------------------------------------------------------------------------------------ members, admin


@router.get("/companies/{company_id}/members")
@returns("Members")
async def list_members(company_id: str, session: DB, actor: ActorDep):
    return await members.list_members(session, actor, _company(company_id))


@router.patch("/companies/{company_id}/members/{member_id}")
@returns("Member")
async def update_member(
    company_id: str, member_id: str, session: DB, actor: ActorDep, now: Now, body: Any = JsonBody
):
    return await members.update_member(
        session, actor, _company(company_id), path_uuid(member_id, "Member not found"), fields(body), now
    )


@router.patch("/companies/{company_id}/members/{member_id}/role-and-grants")
@returns("Member")
async def member_role_and_grants(
    company_id: str, member_id: str, session: DB, actor: ActorDep, now: Now, body: Any = JsonBody
):
    return await members.update_role_and_grants(
        session, actor, _company(company_id), path_uuid(member_id, "Member not found"), fields(body), now
    )


@router.post("/companies/{company_id}/members/{member_id}/archive")
@returns("Member")
async def archive_member(company_id: str, member_id: str, session: DB, actor: ActorDep, now: Now):
    return await members.archive_member(
        session, actor, _company(company_id), path_uuid(member_id, "Member not found"), now
    )


@router.patch("/companies/{company_id}/members/{member_id}/permissions")
@returns("Member")
async def member_permissions(
    company_id: str, member_id: str, session: DB, actor: ActorDep, now: Now, body: Any = JsonBody
):
    return await members.set_member_permissions(
        session, actor, _company(company_id), path_uuid(member_id, "Member not found"), fields(body), now
    )


@router.get("/admin/users")
@returns("list[AdminUser]")
async def admin_users(session: DB, actor: ActorDep, page: PageDep):
    return page.respond(await members.list_users(session, actor, page.window))


@router.get("/admin/users/{user_id}/company-access")
@returns("CompanyAccess")
async def get_company_access(user_id: str, session: DB, actor: ActorDep):
    return await members.get_company_access(session, actor, user_id)


@router.put("/admin/users/{user_id}/company-access")
@returns("CompanyAccess")
async def put_company_access(user_id: str, session: DB, actor: ActorDep, now: Now, body: Any = JsonBody):
    return await members.set_company_access(session, actor, user_id, fields(body), now)


@router.post("/admin/users/{user_id}/promote-instance-admin")
@returns("InstanceAdmin")
async def promote_admin(user_id: str, session: DB, actor: ActorDep):
    return await members.set_instance_admin(session, actor, user_id, True)


@router.post("/admin/users/{user_id}/demote-instance-admin")
@returns("InstanceAdmin")
async def demote_admin(user_id: str, session: DB, actor: ActorDep):
    return await members.set_instance_admin(session, actor, user_id, False)


# ------------------------------------------------------------------------------------------------ board keys, CLI login


@router.get("/board-api-keys")
@returns("list[BoardKey]")
async def list_board_keys(session: DB, actor: ActorDep, page: PageDep):
    return page.respond(await board_keys.list_keys(session, actor, page.window))


@router.post("/board-api-keys", status_code=201)
@returns("CreatedBoardKey")
async def create_board_key(request: Request, session: DB, actor: ActorDep, now: Now, body: Any = JsonBody):
    return await board_keys.create_key(session, request.app.state.settings, actor, fields(body), now)


@router.delete("/board-api-keys/{key_id}")
@returns("RevokedKey")
async def revoke_board_key(key_id: str, session: DB, actor: ActorDep, now: Now):
    parsed = parse_uuid(key_id)
    if parsed is None:
        raise BadRequest("Invalid board API key ID")
    return await board_keys.revoke_key(session, actor, parsed, now)


@router.post("/cli-auth/challenges", status_code=201)
@returns("CliChallenge")
async def create_cli_challenge(request: Request, session: DB, now: Now, body: Any = JsonBody):
    return await board_keys.create_challenge(session, fields(body), now, _base_url(request))


@router.get("/cli-auth/challenges/{challenge_id}")
@returns("CliChallengeStatus")
async def get_cli_challenge(
    challenge_id: str, session: DB, actor: MaybeActorDep, now: Now, token: str | None = None
):
    return await board_keys.challenge_status(
        session, actor, path_uuid(challenge_id, "CLI auth challenge not found"), token, now
    )


@router.post("/cli-auth/challenges/{challenge_id}/approve")
@returns("CliChallengeApproved")
async def approve_cli_challenge(
    challenge_id: str, request: Request, session: DB, actor: MaybeActorDep, now: Now, body: Any = JsonBody
):
    return await board_keys.approve_challenge(
        session,
        request.app.state.settings,
        actor,
        path_uuid(challenge_id, "CLI auth challenge not found"),
        fields(body).get("token"),
        now,
    )


@router.post("/cli-auth/challenges/{challenge_id}/cancel")
@returns("CliChallengeCancelled")
async def cancel_cli_challenge(challenge_id: str, session: DB, now: Now, body: Any = JsonBody):
    return await board_keys.cancel_challenge(
        session, path_uuid(challenge_id, "CLI auth challenge not found"), fields(body).get("token"), now
    )


@router.get("/cli-auth/me")
@returns("CliMe")
async def cli_auth_me(session: DB, actor: ActorDep):
    return await board_keys.cli_me(session, actor)


@router.post("/cli-auth/revoke-current")
@returns("KeyRevoked")
async def cli_auth_revoke_current(session: DB, actor: ActorDep, now: Now):
    return await board_keys.revoke_current(session, actor, now)

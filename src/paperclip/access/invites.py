"""Invites (bootstrap CEO and company joins) and join requests, as service functions.

For the board UI's /invite/<token> page: `invite_summary(session, token, now, base_url)` shows it,
`accept_invite(session, actor, token, body, now)` accepts it (a signed-in user for human joins and
the bootstrap invite; anyone for an agent join, who gets a one-time claim secret).

Tokens are shown once and stored as SHA-256: `pcp_bootstrap_<48 hex>` (bootstrap CEO),
`pcp_invite_<48 hex>` (company), `pcp_claim_<48 hex>` (an agent join's claim secret). An invite is
used once: accepting locks its row, so two concurrent accepts make one membership.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import SYSTEM, Actor
from paperclip.auth.memberships import PERMISSION_KEYS, ROLES, require_permission
from paperclip.auth.tokens import hash_token, new_token
from paperclip.config import Settings
from paperclip.db.models import (
    AgentApiKey,
    Company,
    CompanyMembership,
    InstanceUserRole,
    Invite,
    JoinRequest,
    PrincipalPermissionGrant,
    User,
)
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Conflict, NotFound, Unauthorized
from paperclip.wire import iso, uid

BOOTSTRAP_PREFIX = "pcp_bootstrap_"
INVITE_PREFIX = "pcp_invite_"
CLAIM_PREFIX = "pcp_claim_"
DEFAULT_BOOTSTRAP_HOURS = 72
COMPANY_INVITE_TTL = timedelta(days=3)
CLAIM_SECRET_TTL = timedelta(days=7)
JOIN_TYPES = ("human", "agent", "both")
NOT_FOUND = "Invite not found"


def _state(invite: Invite, now: datetime) -> str:
    if invite.revoked_at is not None:
        return "revoked"
    if invite.accepted_at is not None:
        return "accepted"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    return "active"


def invite_to_wire(invite: Invite, now: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid(invite.id),
        "companyId": uid(invite.company_id),
        "inviteType": invite.invite_type,
        "allowedJoinTypes": invite.allowed_join_types,
        "humanRole": invite.human_role,
        "defaultsPayload": invite.defaults_payload,
        "expiresAt": iso(invite.expires_at),
        "invitedByUserId": invite.invited_by_user_id,
        "revokedAt": iso(invite.revoked_at),
        "acceptedAt": iso(invite.accepted_at),
        "createdAt": iso(invite.created_at),
        "inviteMessage": invite.agent_message,
        "state": _state(invite, now),
        **extra,
    }


def join_request_to_wire(row: JoinRequest) -> dict[str, Any]:
    return {
        "id": uid(row.id),
        "inviteId": uid(row.invite_id),
        "companyId": uid(row.company_id),
        "requestType": row.request_type,
        "status": row.status,
        "requestingUserId": row.requesting_user_id,
        "requestEmailSnapshot": row.request_email_snapshot,
        "agentName": row.agent_name,
        "adapterType": row.adapter_type,
        "capabilities": row.capabilities,
        "agentDefaultsPayload": row.agent_defaults_payload,
        "claimSecretConsumedAt": iso(row.claim_secret_consumed_at),
        "createdAgentId": uid(row.created_agent_id),
        "approvedByUserId": row.approved_by_user_id,
        "approvedAt": iso(row.approved_at),
        "rejectedByUserId": row.rejected_by_user_id,
        "rejectedAt": iso(row.rejected_at),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


# ---------------------------------------------------------------------------------------------- bootstrap


async def create_bootstrap_invite(
    session: AsyncSession, now: datetime, *, expires_hours: int = DEFAULT_BOOTSTRAP_HOURS, force: bool = False
) -> tuple[str, Invite]:
    """A bootstrap CEO invite (deploy §5.5): refuses when an admin exists unless `force`; revokes the
    active ones first; expiry clamp(expires_hours, 1, 720) hours. Returns (token, invite)."""
    has_admin = await session.scalar(sa.select(sa.exists().where(InstanceUserRole.role == "instance_admin")))
    if has_admin and not force:
        raise Conflict("Instance already has an admin user. Use --force to create a new bootstrap invite.")
    await session.execute(
        sa.update(Invite)
        .where(
            Invite.invite_type == "bootstrap_ceo",
            Invite.revoked_at.is_(None),
            Invite.accepted_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = BOOTSTRAP_PREFIX + secrets.token_hex(24)
    hours = min(max(int(expires_hours), 1), 720)
    invite = Invite(
        id=uuid.uuid4(),
        invite_type="bootstrap_ceo",
        token_hash=hash_token(token),
        allowed_join_types="human",
        invited_by_user_id="system",
        expires_at=now + timedelta(hours=hours),
        created_at=now,
    )
    session.add(invite)
    await session.flush()
    return token, invite


# ---------------------------------------------------------------------------------------------- company invites


async def create_company_invite(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: dict[str, Any],
    now: datetime,
    base_url: str,
) -> dict[str, Any]:
    await require_permission(session, actor, company_id, "users:invite")
    company = await session.get(Company, company_id)
    if company is None:
        raise NotFound("Company not found")
    join_types = body.get("allowedJoinTypes", "both")
    role = body.get("humanRole")
    message = body.get("agentMessage")
    defaults = body.get("defaultsPayload")
    if join_types not in JOIN_TYPES:
        raise BadRequest("allowedJoinTypes must be one of human, agent, both")
    if role is not None and role not in ROLES:
        raise BadRequest(f"humanRole must be one of {', '.join(ROLES)}")
    if message is not None and (not isinstance(message, str) or len(message) > 4000):
        raise BadRequest("agentMessage must be a string of at most 4000 characters")
    if defaults is not None and not isinstance(defaults, dict):
        raise BadRequest("defaultsPayload must be an object")
    token = INVITE_PREFIX + secrets.token_hex(24)  # hex: log redaction (pcp_…) covers it whole
    invite = Invite(
        id=uuid.uuid4(),
        company_id=company_id,
        invite_type="company_join",
        token_hash=hash_token(token),
        allowed_join_types=join_types,
        human_role=role,
        agent_message=message,
        defaults_payload=defaults,
        invited_by_user_id=actor.user_id,
        expires_at=now + COMPANY_INVITE_TTL,
        created_at=now,
    )
    session.add(invite)
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="invite.created",
        entity_type="invite",
        entity_id=invite.id,
        details={"allowedJoinTypes": join_types, "humanRole": role},
    )
    return invite_to_wire(
        invite,
        now,
        token=token,
        invitePath=f"/invite/{token}",
        inviteUrl=f"{base_url.rstrip('/')}/invite/{token}",
        companyName=company.name,
    )


async def list_company_invites(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
) -> dict:
    """Newest first, a page at a time as the original: `nextOffset` when more follow, else null."""
    await require_permission(session, actor, company_id, "users:invite")
    rows = list(
        await session.scalars(
            sa.select(Invite)
            .where(Invite.company_id == company_id)
            .order_by(Invite.created_at.desc(), Invite.id)
            .limit(limit + 1)
            .offset(offset)
        )
    )
    more = len(rows) > limit
    return {
        "invites": [invite_to_wire(i, now) for i in rows[:limit]],
        "nextOffset": offset + limit if more else None,
    }


async def revoke_invite(session: AsyncSession, actor: Actor, invite_id: uuid.UUID, now: datetime) -> dict:
    actor.require_authenticated()
    invite = await session.scalar(sa.select(Invite).where(Invite.id == invite_id).with_for_update())
    if invite is None or invite.company_id is None or not actor.can_access(invite.company_id):
        raise NotFound(NOT_FOUND)
    if actor.is_agent:
        actor.require_company(invite.company_id)
    else:
        await require_permission(session, actor, invite.company_id, "users:invite")
    if invite.accepted_at is not None:
        raise Conflict("Invite already consumed")
    if invite.revoked_at is None:
        invite.revoked_at = now
        await record(
            session,
            actor,
            company_id=invite.company_id,
            action="invite.revoked",
            entity_type="invite",
            entity_id=invite.id,
        )
    return invite_to_wire(invite, now)


async def _by_token(session: AsyncSession, token: str, *, lock: bool = False) -> Invite | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    stmt = sa.select(Invite).where(Invite.token_hash == hash_token(token))
    return await session.scalar(stmt.with_for_update() if lock else stmt)


async def _active(session: AsyncSession, token: str, now: datetime) -> Invite:
    invite = await _by_token(session, token)
    if invite is None or _state(invite, now) != "active":
        raise NotFound(NOT_FOUND)
    return invite


def _links(token: str, base_url: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    paths = {
        "invite": f"/invite/{token}",
        "onboarding": f"/api/invites/{token}/onboarding",
        "onboardingText": f"/api/invites/{token}/onboarding.txt",
    }
    out: dict[str, str] = {}
    for name, path in paths.items():
        out[f"{name}Path"], out[f"{name}Url"] = path, base + path
    return out


async def _invite_public(session: AsyncSession, invite: Invite, token: str, base_url: str) -> dict[str, Any]:
    company = await session.get(Company, invite.company_id) if invite.company_id else None
    logo = f"/api/invites/{token}/logo" if company is not None and company.logo_asset_id else None
    return {
        "id": uid(invite.id),
        "companyId": uid(invite.company_id),
        "companyName": company.name if company else None,
        "companyLogoUrl": logo,
        "inviteType": invite.invite_type,
        "allowedJoinTypes": invite.allowed_join_types,
        "humanRole": invite.human_role,
        "expiresAt": iso(invite.expires_at),
        **_links(token, base_url),
        "inviteMessage": invite.agent_message,
    }


async def invite_summary(
    session: AsyncSession, token: str, now: datetime, base_url: str, actor: Actor | None = None
) -> dict[str, Any]:
    """The public look-up of an invite link; 404 unless it can still be accepted. A signed-in caller
    also sees the state of their own join request for it."""
    invite = await _active(session, token, now)
    inviter = await session.get(User, invite.invited_by_user_id) if invite.invited_by_user_id else None
    request = None
    if actor is not None and actor.is_board and actor.user_id:
        request = await session.scalar(
            sa.select(JoinRequest)
            .where(JoinRequest.invite_id == invite.id, JoinRequest.requesting_user_id == actor.user_id)
            .order_by(JoinRequest.created_at.desc())
            .limit(1)
        )
    return {
        **await _invite_public(session, invite, token, base_url),
        "invitedByUserName": inviter.name if inviter else None,
        "joinRequestStatus": request.status if request else None,
        "joinRequestType": request.request_type if request else None,
    }


async def invite_logo_asset_id(session: AsyncSession, token: str, now: datetime) -> uuid.UUID:
    """The company logo an active invite may show to whoever holds its link."""
    invite = await _active(session, token, now)
    company = await session.get(Company, invite.company_id) if invite.company_id else None
    if company is None or company.logo_asset_id is None:
        raise NotFound("Invite logo not found")
    return company.logo_asset_id


def _connectivity(settings: Settings, base_url: str) -> dict[str, Any]:
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname or ""
    loopback = host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")
    candidates = [base_url.rstrip("/")]
    if loopback:
        port = urlsplit(base_url).port
        candidates.append(f"http://host.docker.internal{f':{port}' if port else ''}")
    diagnostics = []
    if loopback:
        diagnostics.append(
            {
                "code": "onboarding_api_loopback",
                "level": "warn",
                "message": f"The invite's base URL ({base_url}) is a loopback address: an agent on "
                "another machine cannot reach it.",
                "hint": "Set PAPERCLIP_PUBLIC_URL to a name agents can reach (a LAN or Tailscale "
                "name, or a public domain) and allow it with PAPERCLIP_ALLOWED_HOSTNAMES.",
            }
        )
    return {
        "deploymentMode": settings.deployment_mode,
        "deploymentExposure": settings.deployment_exposure,
        "bindHost": settings.host,
        "allowedHostnames": list(settings.allowed_hostnames),
        "connectionCandidates": candidates,
        "diagnostics": diagnostics,
        "guidance": "An agent on another machine needs a base URL it can reach whose host name this server "
        "allows (`paperclipai allowed-hostname <host>` or PAPERCLIP_ALLOWED_HOSTNAMES).",
    }


async def invite_onboarding(
    session: AsyncSession, settings: Settings, token: str, now: datetime, base_url: str
) -> dict[str, Any]:
    """GET /invites/:token/onboarding: how an agent joins through this invite, as data."""
    invite = await _active(session, token, now)
    base = base_url.rstrip("/")
    accept = f"/api/invites/{token}/accept"
    return {
        "invite": await _invite_public(session, invite, token, base_url),
        "onboarding": {
            "instructions": (
                "Send an agent join request (requestType 'agent' with agentName, and adapterType, "
                "capabilities and agentDefaultsPayload as your runtime needs), keep the one-time "
                "claimSecret of the answer, wait until the board approves the request, then exchange "
                "the claimSecret for your API key at the claim endpoint — once."
            ),
            "inviteMessage": invite.agent_message,
            "recommendedAdapterType": None,
            "requiredFields": {
                "requestType": "agent",
                "agentName": "Display name for this agent",
                "adapterType": "Adapter type for this runtime (one this server has installed)",
                "capabilities": "Optional capability summary",
                "agentDefaultsPayload": "Adapter configuration for this runtime, as its adapter expects it",
            },
            "registrationEndpoint": {"method": "POST", "path": accept, "url": base + accept},
            "claimEndpointTemplate": {
                "method": "POST",
                "path": "/api/join-requests/{requestId}/claim-api-key",
                "body": {"claimSecret": "one-time claim secret returned when the join request is created"},
            },
            "connectivity": _connectivity(settings, base_url),
            "textInstructions": {
                "path": f"/api/invites/{token}/onboarding.txt",
                "url": f"{base}/api/invites/{token}/onboarding.txt",
                "contentType": "text/plain",
            },
        },
    }


async def invite_onboarding_text(
    session: AsyncSession, settings: Settings, token: str, now: datetime, base_url: str
) -> str:
    """The same, as a plain-text page an agent (or a person) can follow."""
    data = await invite_onboarding(session, settings, token, now, base_url)
    invite, onboarding = data["invite"], data["onboarding"]
    connectivity = onboarding["connectivity"]
    lines = [
        "# Joining a Paperclip company as an agent",
        "",
        f"Company: {invite['companyName']}",
        f"Invite type: {invite['inviteType']}",
        f"Allowed join types: {invite['allowedJoinTypes']}",
        f"Expires: {invite['expiresAt']}",
    ]
    if invite.get("inviteMessage"):
        lines += ["", "Message from the board:", invite["inviteMessage"]]
    lines += [
        "",
        "## 1. Send a join request",
        f"POST {onboarding['registrationEndpoint']['url']}",
        "Content-Type: application/json",
        "",
        '{"requestType": "agent", "agentName": "My Agent", "adapterType": "process",',
        ' "capabilities": "What this agent does", "agentDefaultsPayload": {}}',
        "",
        "The answer (202) holds the join request's id and a one-time claimSecret: keep both.",
        "",
        "## 2. Wait for approval",
        "A board member approves or rejects the request in the company's join requests.",
        "",
        "## 3. Claim the API key (once)",
        "POST " + connectivity["connectionCandidates"][0] + "/api/join-requests/<requestId>/claim-api-key",
        '{"claimSecret": "<the claimSecret of step 1>"}',
        "",
        "The answer holds the API key (token) a single time; send it as `Authorization: Bearer <token>`.",
        "",
        "## Reaching this server",
        *[f"- {url}" for url in connectivity["connectionCandidates"]],
        *[f"- warning: {d['message']} {d['hint']}" for d in connectivity["diagnostics"]],
        connectivity["guidance"],
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- accepting


async def accept_invite(
    session: AsyncSession,
    actor: Actor,
    token: str,
    body: dict[str, Any],
    now: datetime,
    *,
    request_ip: str | None = None,
) -> dict[str, Any]:
    request_type = body.get("requestType")
    if request_type not in ("human", "agent"):
        raise BadRequest("requestType must be human or agent")
    invite = await _by_token(session, token, lock=True)  # the row lock makes acceptance one-time under races
    if (
        invite is None
        or invite.revoked_at is not None
        or (invite.expires_at is not None and invite.expires_at <= now)
    ):
        raise NotFound(NOT_FOUND)
    if invite.invite_type == "bootstrap_ceo":
        return await _accept_bootstrap(session, actor, invite, now)
    allowed = ("human", "agent") if invite.allowed_join_types == "both" else (invite.allowed_join_types,)
    if request_type not in allowed:
        raise BadRequest(f"This invite does not allow {request_type} joins")
    if request_type == "human":
        return await _accept_human(session, actor, invite, now, request_ip)
    if invite.accepted_at is not None:
        raise Conflict("Invite already consumed")
    return await _accept_agent(session, invite, body, now)


async def _accept_bootstrap(
    session: AsyncSession, actor: Actor, invite: Invite, now: datetime
) -> dict[str, Any]:
    if invite.accepted_at is not None:
        raise NotFound(NOT_FOUND)
    if actor.type != "board" or actor.source not in ("session", "board_key"):
        raise Unauthorized("Authenticated user required for bootstrap acceptance")
    await session.execute(
        insert(InstanceUserRole).values(user_id=actor.user_id, role="instance_admin").on_conflict_do_nothing()
    )
    invite.accepted_at = now
    invite.accepted_by_user_id = actor.user_id
    return {
        "inviteId": uid(invite.id),
        "inviteType": "bootstrap_ceo",
        "bootstrapAccepted": True,
        "userId": actor.user_id,
    }


def _joining_grants(invite: Invite, role: str) -> list[str]:
    """The grants a person joining by this invite gets: the invite's `defaultsPayload.human.grants`, else
    (like the original's default invite) `tasks:assign` for every role but viewer."""
    human = (
        (invite.defaults_payload or {}).get("human") if isinstance(invite.defaults_payload, dict) else None
    )
    if isinstance(human, dict) and isinstance(human.get("grants"), list):
        keys = [g.get("permissionKey") for g in human["grants"] if isinstance(g, dict)]
        return sorted({k for k in keys if k in PERMISSION_KEYS})
    return [] if role == "viewer" else ["tasks:assign"]


async def _accept_human(
    session: AsyncSession, actor: Actor, invite: Invite, now: datetime, request_ip: str | None
) -> dict[str, Any]:
    if actor.type != "board" or actor.source not in ("session", "board_key"):
        raise Unauthorized("Sign in to accept this invite")
    member = await session.scalar(
        sa.select(CompanyMembership.status).where(
            CompanyMembership.company_id == invite.company_id,
            CompanyMembership.principal_type == "user",
            CompanyMembership.principal_id == actor.user_id,
        )
    )
    if member == "active":
        raise Conflict("You already belong to this company")
    if invite.accepted_at is not None:
        raise Conflict("Invite already consumed")
    user = await session.get(User, actor.user_id)
    role = invite.human_role or "member"
    await session.execute(
        insert(CompanyMembership)
        .values(
            company_id=invite.company_id,
            principal_type="user",
            principal_id=actor.user_id,
            status="active",
            membership_role=role,
        )
        .on_conflict_do_update(
            index_elements=["company_id", "principal_type", "principal_id"],
            set_={"status": "active", "membership_role": role, "updated_at": now},
        )
    )
    for key in _joining_grants(invite, role):
        await session.execute(
            insert(PrincipalPermissionGrant)
            .values(
                company_id=invite.company_id,
                principal_type="user",
                principal_id=actor.user_id,
                permission_key=key,
                granted_by_user_id=invite.invited_by_user_id,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
    request = JoinRequest(
        id=uuid.uuid4(),
        invite_id=invite.id,
        company_id=invite.company_id,
        request_type="human",
        status="approved",
        requesting_user_id=actor.user_id,
        request_email_snapshot=user.email if user else None,
        approved_by_user_id=invite.invited_by_user_id,
        approved_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    invite.accepted_at = now
    invite.accepted_by_user_id = actor.user_id
    await session.flush()
    await record(
        session,
        actor,
        company_id=invite.company_id,
        action="member.joined",
        entity_type="user",
        entity_id=actor.user_id,
        details={"inviteId": str(invite.id), "membershipRole": role},
    )
    return {**join_request_to_wire(request), "requestIp": request_ip}


async def _accept_agent(
    session: AsyncSession, invite: Invite, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    name = body.get("agentName")
    adapter = body.get("adapterType") or "process"
    capabilities = body.get("capabilities")
    defaults = body.get("agentDefaultsPayload")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        raise BadRequest("agentName is required (1-120 characters)")
    if not isinstance(adapter, str) or len(adapter) > 64:
        raise BadRequest("adapterType must be a string")
    if capabilities is not None and (not isinstance(capabilities, str) or len(capabilities) > 4000):
        raise BadRequest("capabilities must be a string of at most 4000 characters")
    if defaults is not None and not isinstance(defaults, dict):
        raise BadRequest("agentDefaultsPayload must be an object")
    secret = CLAIM_PREFIX + secrets.token_hex(24)
    request = JoinRequest(
        id=uuid.uuid4(),
        invite_id=invite.id,
        company_id=invite.company_id,
        request_type="agent",
        status="pending_approval",
        agent_name=name.strip(),
        adapter_type=adapter,
        capabilities=capabilities,
        agent_defaults_payload=defaults,
        claim_secret_hash=hash_token(secret),
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    invite.accepted_at = now
    await session.flush()
    await record(
        session,
        SYSTEM,
        company_id=invite.company_id,
        action="join_request.created",
        entity_type="join_request",
        entity_id=request.id,
        details={"requestType": "agent", "agentName": name},
    )
    return {
        **join_request_to_wire(request),
        "claimSecret": secret,
        "claimSecretExpiresAt": iso(now + CLAIM_SECRET_TTL),
        "claimApiKeyPath": f"/api/join-requests/{request.id}/claim-api-key",
    }


# ---------------------------------------------------------------------------------------------- join requests


async def list_join_requests(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    status: str | None,
    window: Window | None = None,
) -> list:
    await require_permission(session, actor, company_id, "joins:approve")
    stmt = sa.select(JoinRequest).where(JoinRequest.company_id == company_id)
    if status:
        stmt = stmt.where(JoinRequest.status == status)
    stmt = stmt.order_by(JoinRequest.created_at.desc(), JoinRequest.id)
    return [join_request_to_wire(r) for r in await session.scalars(window.apply(stmt) if window else stmt)]


async def _pending(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, request_id: uuid.UUID
) -> JoinRequest:
    await require_permission(session, actor, company_id, "joins:approve")
    row = await session.scalar(
        sa.select(JoinRequest)
        .where(JoinRequest.id == request_id, JoinRequest.company_id == company_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound("Join request not found")
    if row.status != "pending_approval":
        raise Conflict(f"Join request is already {row.status}")
    return row


async def approve_join_request(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    request_id: uuid.UUID,
    now: datetime,
    *,
    strict_secrets: bool = False,
) -> dict[str, Any]:
    """Approve a pending join: an agent join creates the agent (its adapter config checked like any
    other, `strict_secrets` included), a human join makes the membership."""
    # Here, not at the top: `paperclipai auth bootstrap-ceo` imports this module to make an invite and
    # should not load the agents feature (with costs, companies, secrets) for it.
    from paperclip.agents.schemas import AgentCreate
    from paperclip.agents.service import insert_agent

    row = await _pending(session, actor, company_id, request_id)
    if row.request_type == "agent":
        body = AgentCreate.model_validate(
            {
                "name": row.agent_name,
                "adapterType": row.adapter_type or "process",
                "capabilities": row.capabilities,
                "adapterConfig": row.agent_defaults_payload or {},
            }
        )
        agent = await insert_agent(
            session, actor, company_id, body, status="idle", now=now, strict_secrets=strict_secrets
        )
        row.created_agent_id = agent.id
    elif row.requesting_user_id:
        await session.execute(
            insert(CompanyMembership)
            .values(
                company_id=company_id,
                principal_type="user",
                principal_id=row.requesting_user_id,
                status="active",
                membership_role="member",
            )
            .on_conflict_do_nothing()
        )
    row.status, row.approved_by_user_id, row.approved_at, row.updated_at = "approved", actor.user_id, now, now
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="join_request.approved",
        entity_type="join_request",
        entity_id=row.id,
        details={"requestType": row.request_type},
    )
    return join_request_to_wire(row)


async def reject_join_request(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, request_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    row = await _pending(session, actor, company_id, request_id)
    row.status, row.rejected_by_user_id, row.rejected_at, row.updated_at = "rejected", actor.user_id, now, now
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="join_request.rejected",
        entity_type="join_request",
        entity_id=row.id,
        details={"requestType": row.request_type},
    )
    return join_request_to_wire(row)


async def claim_agent_api_key(
    session: AsyncSession, request_id: uuid.UUID, claim_secret: object, now: datetime
) -> dict[str, Any]:
    """The approved agent join's API key, handed over once to the holder of the claim secret."""
    if not isinstance(claim_secret, str) or not claim_secret or len(claim_secret) > 200:
        raise BadRequest("claimSecret is required")
    row = await session.scalar(sa.select(JoinRequest).where(JoinRequest.id == request_id).with_for_update())
    if (
        row is None
        or row.request_type != "agent"
        or row.claim_secret_hash is None
        or not hmac.compare_digest(row.claim_secret_hash, hash_token(claim_secret))
    ):
        raise NotFound("Join request not found")
    if row.status != "approved" or row.created_agent_id is None:
        raise Conflict("Join request must be approved before key claim")
    if row.claim_secret_consumed_at is not None:
        raise Conflict("Claim secret already used")
    if now > row.created_at + CLAIM_SECRET_TTL:
        raise Conflict("Claim secret expired")
    token = new_token()
    key = AgentApiKey(
        id=uuid.uuid4(),
        agent_id=row.created_agent_id,
        company_id=row.company_id,
        name="join-claim",
        key_hash=hash_token(token),
        created_at=now,
    )
    session.add(key)
    row.claim_secret_consumed_at = now
    row.updated_at = now
    await session.flush()
    await record(
        session,
        SYSTEM,
        company_id=row.company_id,
        action="agent.key_created",
        entity_type="agent",
        entity_id=row.created_agent_id,
        details={"name": "join-claim", "keyId": str(key.id)},
    )
    return {"keyId": uid(key.id), "token": token, "agentId": uid(row.created_agent_id), "createdAt": iso(now)}

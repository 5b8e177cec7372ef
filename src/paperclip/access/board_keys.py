"""Board API keys (`pcp_board_<48 hex>`: scripts and the CLI acting as a person) and the CLI login
challenge (`pcp_cli_auth_<48 hex>`, 10 minutes) that a signed-in user approves in the browser.

Keys are stored as SHA-256, expire after PAPERCLIP_BOARD_API_KEY_TTL_DAYS (default 30; 0 = never)
unless the create body says otherwise (`"expiresAt": null` = never, as in the original), and can be
revoked; revoked keys drop out of the list. The local trusted board (`local-board`) may make keys too,
like the original: they act as `local-board` only while the instance stays `local_trusted`; once it
runs authenticated they are refused (see resolve.py), because `local-board` keeps its owner
memberships after a board claim and such a key would otherwise outlive the claim. A challenge is created with its board token already chosen (shown only to the
CLI that asked); approving it creates the key row for the approving user, so the CLI's token starts
working at that moment, and never before.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.auth.tokens import BOARD_KEY_PREFIX, hash_token
from paperclip.config import Settings
from paperclip.db.models import BoardApiKey, CliAuthChallenge, Company, CompanyMembership, User
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from paperclip.wire import iso, uid

CLI_AUTH_PREFIX = "pcp_cli_auth_"
CHALLENGE_TTL = timedelta(minutes=10)
DEFAULT_KEY_TTL_DAYS = 30


def key_ttl(settings: Settings) -> timedelta | None:
    raw = settings.env.get("PAPERCLIP_BOARD_API_KEY_TTL_DAYS")
    try:
        days = int(raw) if raw not in (None, "") else DEFAULT_KEY_TTL_DAYS
    except ValueError:
        days = DEFAULT_KEY_TTL_DAYS
    return None if days <= 0 else timedelta(days=days)


def new_board_token() -> str:
    return BOARD_KEY_PREFIX + secrets.token_hex(24)


def key_to_wire(key: BoardApiKey, token: str | None = None) -> dict[str, Any]:
    body = {
        "id": uid(key.id),
        "name": key.name,
        "createdAt": iso(key.created_at),
        "lastUsedAt": iso(key.last_used_at),
        "revokedAt": iso(key.revoked_at),
        "expiresAt": iso(key.expires_at),
    }
    if token is not None:
        body = {
            "id": body["id"],
            "name": key.name,
            "token": token,
            **{k: v for k, v in body.items() if k not in ("id", "name")},
        }
    return body


def _person(actor: Actor) -> str:
    actor.require_board()
    return actor.user_id


async def create_key(
    session: AsyncSession, settings: Settings, actor: Actor, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    user_id = _person(actor)
    name = body.get("name") or "API key"
    if not isinstance(name, str) or len(name) > 120:
        raise BadRequest("name must be a string of at most 120 characters")
    ttl = key_ttl(settings)
    expires_at = now + ttl if ttl else None
    if "expiresAt" in body and body["expiresAt"] is None:
        expires_at = None  # explicit null: never expires (the original CLI's --never-expires)
    elif body.get("expiresAt") is not None:
        try:
            expires_at = datetime.fromisoformat(str(body["expiresAt"]).replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest("expiresAt must be an ISO-8601 date-time") from None
        if expires_at.tzinfo is None or expires_at <= now:
            raise BadRequest("expiresAt must be a future date-time with a time zone")
    token = new_board_token()
    key = BoardApiKey(
        id=uuid.uuid4(),
        user_id=user_id,
        name=name,
        key_hash=hash_token(token),
        expires_at=expires_at,
        created_at=now,
    )
    session.add(key)
    await session.flush()
    return key_to_wire(key, token)


async def list_keys(
    session: AsyncSession, actor: Actor, window: Window | None = None
) -> list[dict[str, Any]]:
    user_id = _person(actor)
    stmt = (
        sa.select(BoardApiKey)
        .where(BoardApiKey.user_id == user_id, BoardApiKey.revoked_at.is_(None))
        .order_by(BoardApiKey.created_at.desc(), BoardApiKey.id)
    )
    keys = await session.scalars(window.apply(stmt) if window else stmt)
    return [key_to_wire(k) for k in keys]


async def revoke_key(session: AsyncSession, actor: Actor, key_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    user_id = _person(actor)
    key = await session.scalar(
        sa.select(BoardApiKey)
        .where(BoardApiKey.id == key_id, BoardApiKey.user_id == user_id, BoardApiKey.revoked_at.is_(None))
        .with_for_update()
    )
    if key is None:  # like the original, an already revoked key is not found
        raise NotFound("Board API key not found")
    key.revoked_at = now
    return {"ok": True, "keyId": uid(key.id)}


# ---------------------------------------------------------------------------------------------- CLI login


async def create_challenge(
    session: AsyncSession, body: dict[str, Any], now: datetime, base_url: str
) -> dict[str, Any]:
    command, client = body.get("command"), body.get("clientName")
    access = body.get("requestedAccess") or "board"
    company = body.get("requestedCompanyId")
    if access not in ("board", "instance_admin_required"):
        raise BadRequest("requestedAccess must be board or instance_admin_required")
    for label, value in (("command", command), ("clientName", client)):
        if value is not None and (not isinstance(value, str) or len(value) > 500):
            raise BadRequest(f"{label} must be a string of at most 500 characters")
    company_id = None
    if company is not None:
        try:
            company_id = uuid.UUID(str(company))
        except ValueError:
            raise BadRequest("requestedCompanyId must be a UUID") from None
        if await session.get(Company, company_id) is None:
            company_id = None
    secret, board_token = CLI_AUTH_PREFIX + secrets.token_hex(24), new_board_token()
    row = CliAuthChallenge(
        id=uuid.uuid4(),
        secret_hash=hash_token(secret),
        command=command,
        client_name=client,
        requested_access=access,
        requested_company_id=company_id,
        pending_key_hash=hash_token(board_token),
        expires_at=now + CHALLENGE_TTL,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    path = f"/cli-auth/{row.id}?token={secret}"
    return {
        "id": uid(row.id),
        "token": secret,
        "boardApiToken": board_token,
        "approvalPath": path,
        "approvalUrl": base_url.rstrip("/") + path,
        "pollPath": f"/cli-auth/challenges/{row.id}",
        "expiresAt": iso(row.expires_at),
        "suggestedPollIntervalMs": 1000,
    }


async def _challenge(session: AsyncSession, challenge_id: uuid.UUID, secret: object, *, lock: bool = False):
    stmt = sa.select(CliAuthChallenge).where(CliAuthChallenge.id == challenge_id)
    row = await session.scalar(stmt.with_for_update() if lock else stmt)
    if (
        row is None
        or not isinstance(secret, str)
        or len(secret) > 200
        or not hmac.compare_digest(row.secret_hash, hash_token(secret))
    ):
        raise NotFound("CLI auth challenge not found")
    return row


def _status(row: CliAuthChallenge, now: datetime) -> str:
    if row.status == "pending" and now >= row.expires_at:
        return "expired"
    return row.status


async def challenge_status(
    session: AsyncSession, actor: Actor, challenge_id: uuid.UUID, secret: object, now: datetime
) -> dict[str, Any]:
    row = await _challenge(session, challenge_id, secret)
    approver = await session.get(User, row.approved_by_user_id) if row.approved_by_user_id else None
    company = await session.get(Company, row.requested_company_id) if row.requested_company_id else None
    signed_in = actor.type == "board" and actor.source == "session"
    can_approve = (
        signed_in
        and _status(row, now) == "pending"
        and (row.requested_access != "instance_admin_required" or actor.is_instance_admin)
    )
    return {
        "id": uid(row.id),
        "status": _status(row, now),
        "command": row.command,
        "clientName": row.client_name,
        "requestedAccess": row.requested_access,
        "requestedCompanyId": uid(row.requested_company_id),
        "requestedCompanyName": company.name if company else None,
        "approvedAt": iso(row.approved_at),
        "cancelledAt": iso(row.cancelled_at),
        "expiresAt": iso(row.expires_at),
        "approvedByUser": (
            {"id": approver.id, "name": approver.name, "email": approver.email} if approver else None
        ),
        "requiresSignIn": True,
        "canApprove": can_approve,
        "currentUserId": actor.user_id if signed_in else None,
    }


async def approve_challenge(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    challenge_id: uuid.UUID,
    secret: object,
    now: datetime,
) -> dict[str, Any]:
    if actor.type != "board" or actor.source != "session":
        raise Unauthorized("Sign in to approve this CLI login")
    row = await _challenge(session, challenge_id, secret, lock=True)
    if row.status == "approved":
        if row.approved_by_user_id != actor.user_id:
            raise Conflict("CLI auth challenge already approved")
        return {
            "approved": True,
            "status": "approved",
            "userId": actor.user_id,
            "keyId": uid(row.board_api_key_id),
            "expiresAt": iso(row.expires_at),
        }
    if _status(row, now) != "pending":
        raise Conflict(f"CLI auth challenge is {_status(row, now)}")
    if row.requested_access == "instance_admin_required" and not actor.is_instance_admin:
        raise Forbidden("Instance admin required")
    ttl = key_ttl(settings)
    key = BoardApiKey(
        id=uuid.uuid4(),
        user_id=actor.user_id,
        name=f"CLI: {row.client_name or row.command or 'login'}"[:120],
        key_hash=row.pending_key_hash,
        expires_at=now + ttl if ttl else None,
        created_at=now,
    )
    session.add(key)
    await session.flush()
    row.status, row.approved_by_user_id, row.approved_at, row.board_api_key_id = (
        "approved",
        actor.user_id,
        now,
        key.id,
    )
    row.pending_key_hash = None
    return {
        "approved": True,
        "status": "approved",
        "userId": actor.user_id,
        "keyId": uid(key.id),
        "expiresAt": iso(row.expires_at),
    }


async def cancel_challenge(
    session: AsyncSession, challenge_id: uuid.UUID, secret: object, now: datetime
) -> dict:
    row = await _challenge(session, challenge_id, secret, lock=True)
    if row.status == "pending":
        row.status, row.cancelled_at, row.pending_key_hash = "cancelled", now, None
    return {"cancelled": row.status == "cancelled", "status": row.status}


async def cli_me(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    actor.require_board()
    user = await session.get(User, actor.user_id)
    memberships = await session.execute(
        sa.select(
            CompanyMembership.company_id, CompanyMembership.membership_role, CompanyMembership.status
        ).where(CompanyMembership.principal_type == "user", CompanyMembership.principal_id == actor.user_id)
    )
    return {
        "user": {
            "id": actor.user_id,
            "name": user.name if user else None,
            "email": user.email if user else None,
        },
        "userId": actor.user_id,
        "isInstanceAdmin": actor.is_instance_admin or actor.source == "local_implicit",
        "companyIds": sorted(str(c) for c in actor.company_ids),
        "memberships": [{"companyId": str(c), "membershipRole": r, "status": s} for c, r, s in memberships],
        "source": actor.source,
        "keyId": uid(actor.key_id),
    }


async def revoke_current(session: AsyncSession, actor: Actor, now: datetime) -> dict[str, Any]:
    actor.require_board()
    if actor.source != "board_key" or actor.key_id is None:
        raise BadRequest("Only a board API key can revoke itself")
    await session.execute(sa.update(BoardApiKey).where(BoardApiKey.id == actor.key_id).values(revoked_at=now))
    return {"revoked": True, "keyId": uid(actor.key_id)}

"""Board claim (deploy §5.6): an instance whose only admin is the local board, started in
authenticated mode, hands its board to the first signed-in user who opens the printed URL.

The challenge (48-hex token, 24-hex code, 24 h) lives in memory: it is made once per server start,
before the worker processes fork (so every worker knows it), and a restart makes a new one. Its
state is read from the database: `available` while `local-board` is still an instance admin,
`claimed` once it is not. Claiming, in one transaction: the user becomes instance admin,
`local-board` stops being one, and the user gets an active `owner` membership in every company.

For the board UI's /board-claim/<token> page: `challenge_status(session, token, code, now)` and
`claim_board(session, actor, token, code, now)`.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from paperclip.access import queries
from paperclip.activity.service import record
from paperclip.auth.actor import LOCAL_BOARD_USER_ID, Actor
from paperclip.db.models import Company, CompanyMembership, InstanceUserRole
from paperclip.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from paperclip.wire import iso

log = logging.getLogger("paperclip.server")
CHALLENGE_TTL = timedelta(hours=24)
NOT_FOUND = "Board claim challenge not found"


@dataclass(frozen=True)
class Challenge:
    token: str
    code: str
    created_at: datetime
    expires_at: datetime


_current: Challenge | None = None


def ensure_challenge(now: datetime) -> Challenge:
    """This process's challenge, made on first use (call before forking workers)."""
    global _current
    if _current is None:
        _current = Challenge(
            token=secrets.token_hex(24),
            code=secrets.token_hex(12),
            created_at=now,
            expires_at=now + CHALLENGE_TTL,
        )
    return _current


def reset_challenge() -> None:
    global _current
    _current = None


def claim_url(base_url: str, challenge: Challenge) -> str:
    return f"{base_url.rstrip('/')}/board-claim/{challenge.token}?code={challenge.code}"


async def only_admin_is_local_board(session: AsyncSession) -> bool:
    admins = set(
        await session.scalars(
            sa.select(InstanceUserRole.user_id).where(InstanceUserRole.role == "instance_admin")
        )
    )
    return admins == {LOCAL_BOARD_USER_ID}


def _matching(token: str, code: str | None) -> Challenge:
    challenge = _current
    if (
        challenge is None
        or not isinstance(code, str)
        or len(token) > 200
        or len(code) > 200
        or not hmac.compare_digest(token.encode(), challenge.token.encode())
        or not hmac.compare_digest(code.encode(), challenge.code.encode())
    ):
        raise NotFound(NOT_FOUND)
    return challenge


async def _claimed_by(session: AsyncSession, challenge: Challenge) -> str | None:
    if await session.scalar(
        sa.select(
            sa.exists().where(
                InstanceUserRole.user_id == LOCAL_BOARD_USER_ID, InstanceUserRole.role == "instance_admin"
            )
        )
    ):
        return None
    return (
        await session.scalar(
            sa.select(InstanceUserRole.user_id)
            .where(
                InstanceUserRole.role == "instance_admin", InstanceUserRole.created_at >= challenge.created_at
            )
            .order_by(InstanceUserRole.created_at)
            .limit(1)
        )
        or ""
    )


async def challenge_status(session: AsyncSession, token: str, code: str | None, now: datetime) -> dict:
    """`{status: available|claimed|expired, requiresSignIn, expiresAt, claimedByUserId}`; 404 for a wrong token or code."""
    challenge = _matching(token, code)
    claimed_by = await _claimed_by(session, challenge)
    status = (
        "claimed" if claimed_by is not None else ("expired" if now >= challenge.expires_at else "available")
    )
    return {
        "status": status,
        "requiresSignIn": True,
        "expiresAt": iso(challenge.expires_at),
        "claimedByUserId": claimed_by or None,
    }


async def claim_board(session: AsyncSession, actor: Actor, token: str, code: object, now: datetime) -> dict:
    """Make the signed-in user the board: instance admin and owner of every company, once."""
    if not isinstance(code, str) or not code.strip():
        raise BadRequest("Claim code is required")
    if actor.type != "board" or actor.source != "session":
        raise Unauthorized("Sign in before claiming board ownership")
    challenge = _matching(token, code.strip())
    # The local board's admin row, locked: two claims at once serialise here and the second sees it gone.
    local = await session.scalar(
        sa.select(InstanceUserRole.id)
        .where(InstanceUserRole.user_id == LOCAL_BOARD_USER_ID, InstanceUserRole.role == "instance_admin")
        .with_for_update()
    )
    if local is None:
        claimed_by = await _claimed_by(session, challenge)
        if claimed_by == actor.user_id:
            return {"claimed": True, "userId": actor.user_id}
        raise Conflict("Board claim challenge already claimed")
    if now >= challenge.expires_at:
        raise Conflict("Board claim challenge expired. Restart server to generate a new one.")
    user_id = actor.user_id
    await session.execute(
        insert(InstanceUserRole)
        .values(user_id=user_id, role="instance_admin", created_at=now)
        .on_conflict_do_nothing()
    )
    await session.execute(sa.delete(InstanceUserRole).where(InstanceUserRole.id == local))
    companies = list(await session.scalars(sa.select(Company.id)))
    for company_id in companies:
        await session.execute(
            insert(CompanyMembership)
            .values(
                company_id=company_id,
                principal_type="user",
                principal_id=user_id,
                status="active",
                membership_role="owner",
            )
            .on_conflict_do_update(
                index_elements=["company_id", "principal_type", "principal_id"],
                set_={"status": "active", "membership_role": "owner", "updated_at": now},
            )
        )
        await record(
            session,
            actor,
            company_id=company_id,
            action="board.claimed",
            entity_type="user",
            entity_id=user_id,
            details={"previousBoardUserId": LOCAL_BOARD_USER_ID},
        )
    return {"claimed": True, "userId": user_id}


async def announce(sessions: async_sessionmaker[AsyncSession], base_url: str, now: datetime) -> str | None:
    """At start-up in authenticated mode: print (to the console) and log the claim URL when the only
    admin is the local board."""
    async with sessions() as session:
        if not await only_admin_is_local_board(session):
            return None
    url = claim_url(base_url, ensure_challenge(now))
    block = (
        "\n  BOARD CLAIM REQUIRED\n  This instance was used in local_trusted mode; its board belongs to the local"
        f" board user.\n  Sign in, then open:\n  Board claim URL: {url}\n  (Replace the host with the name"
        " you reach this machine by, e.g. its Tailscale name, if needed.)\n"
    )
    print(block, flush=True)
    log.warning("Board claim URL: %s", url)
    return url


async def bootstrap_claim(session: AsyncSession, actor: Actor, exposure: str, now: datetime) -> dict:
    """POST /api/bootstrap/claim: on an instance with no admin yet, the signed-in person becomes its
    first instance admin (the original's shortcut beside the bootstrap invite). Refused on public
    deployments, where anyone can sign up first: there the printed bootstrap invite is the way."""
    if actor.type != "board" or actor.source != "session":
        raise Unauthorized("Sign in from a browser session before claiming first admin")
    await queries.BOOTSTRAP_LOCK.execute(session)  # two claims at once
    if await session.scalar(sa.select(sa.exists().where(InstanceUserRole.role == "instance_admin"))):
        raise Conflict("Someone else has already claimed this instance")
    if exposure == "public":
        raise Forbidden(
            "Claiming the first admin is disabled on public deployments: open the bootstrap invite "
            "printed at start-up, or run `paperclipai auth bootstrap-ceo` for a new one"
        )
    await session.execute(
        insert(InstanceUserRole)
        .values(user_id=actor.user_id, role="instance_admin", created_at=now)
        .on_conflict_do_nothing()
    )
    log.warning("First instance admin claimed by user %s (POST /api/bootstrap/claim)", actor.user_id)
    return {"claimed": True, "userId": actor.user_id}

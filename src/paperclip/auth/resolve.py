"""Resolving the actor of a request (deploy §5.4), with explicit 401s instead of silent fall-backs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth import actor_cache, queries
from paperclip.auth.actor import ANONYMOUS, LOCAL_BOARD, LOCAL_BOARD_USER_ID, Actor
from paperclip.auth.run_jwt import looks_like_jwt, verify_run_jwt
from paperclip.auth.sessions import MAX_TOKEN_LENGTH, lookup_session
from paperclip.auth.tokens import BOARD_KEY_PREFIX, hash_token
from paperclip.config import Settings
from paperclip.db.models import AgentApiKey, BoardApiKey
from paperclip.errors import BadRequest, Unauthorized

INACTIVE_AGENT_STATUSES = ("terminated", "pending_approval")
LAST_USED_GRANULARITY = timedelta(minutes=1)  # touch last_used_at at most once a minute per key


def parse_run_id(header: str | None) -> uuid.UUID | None:
    if header is None:
        return None
    try:
        return uuid.UUID(header.strip())
    except ValueError:
        raise BadRequest("Invalid X-Paperclip-Run-Id header") from None


async def resolve_actor(
    session: AsyncSession,
    settings: Settings,
    *,
    authorization: str | None,
    run_id_header: str | None,
    now: datetime,
    session_token: str | None = None,
    mutating: bool = False,
) -> Actor:
    """The caller. A bearer token or session cookie that matches nothing is a 401, never anonymous.
    People's tokens resolve from a short-lived cache (auth/actor_cache.py: 5 s, cleared by every
    mutating request of this process)."""
    if mutating:
        actor_cache.writes_started()
    actor = await _resolve(session, settings, authorization, run_id_header, now, session_token)
    return replace(actor, mutating=True) if mutating and actor.type == "board" else actor


async def _resolve(
    session: AsyncSession,
    settings: Settings,
    authorization: str | None,
    run_id_header: str | None,
    now: datetime,
    session_token: str | None,
) -> Actor:
    run_id = parse_run_id(run_id_header)
    if run_id is not None:
        if await queries.RUN_EXISTS.fetchval(session, run_id) is None:
            raise BadRequest("Unknown X-Paperclip-Run-Id header")

    token = _bearer(authorization)
    if token is None:
        if settings.is_local_trusted:
            return replace(LOCAL_BOARD, run_id=run_id) if run_id else LOCAL_BOARD
        if session_token is None:
            return replace(ANONYMOUS, run_id=run_id) if run_id else ANONYMOUS
        key = "s:" + hash_token(session_token) if len(session_token) <= MAX_TOKEN_LENGTH else None
        cached = actor_cache.get(key) if key else None
        if cached is not None and cached[0] > now:
            return replace(cached[1], run_id=run_id) if run_id else cached[1]
        row = await lookup_session(session, session_token, now)
        if row is None:
            raise Unauthorized("Session expired or invalid: sign in again")
        person = _board_actor(row, "session", session_id=row["id"])
        if key:
            actor_cache.put(key, row["expires_at"], person)
        return replace(person, run_id=run_id) if run_id else person

    if looks_like_jwt(token):
        # Run JWTs verify without the database; a valid one costs one query (the agent's state).
        claims = verify_run_jwt(settings, token)
        if claims is not None:
            found = await queries.AGENT_STATE.fetchrow(session, claims.agent_id)
            if (
                found
                and found["company_id"] == claims.company_id
                and found["status"] not in INACTIVE_AGENT_STATUSES
            ):
                return Actor(
                    type="agent",
                    source="agent_jwt",
                    agent_id=claims.agent_id,
                    company_id=claims.company_id,
                    run_id=run_id or claims.run_id,
                )
            raise Unauthorized("Invalid or revoked API key")

    digest = hash_token(token)
    # One lookup for the common case: agent keys (`pcp_<hex>`) are tried first unless the token has the
    # board-key prefix; the other table is still tried, so no key kind is ever missed.
    lookups = (_board_key_actor, _agent_key_actor)
    if not token.startswith(BOARD_KEY_PREFIX):
        lookups = lookups[::-1]
    for lookup in lookups:
        actor = await lookup(session, digest, now, run_id)
        if actor is not None:
            return _usable_key(settings, actor)

    raise Unauthorized("Invalid or revoked API key")


def _usable_key(settings: Settings, actor: Actor) -> Actor:
    if actor.source == "board_key" and actor.user_id == LOCAL_BOARD_USER_ID and not settings.is_local_trusted:
        # A key the implicit local board made in local_trusted mode: `local-board` is nobody's login,
        # so it must not carry owner access into an authenticated instance.
        raise Unauthorized("Invalid or revoked API key")
    return actor


async def _board_key_actor(session: AsyncSession, digest: str, now: datetime, run_id) -> Actor | None:
    cached = actor_cache.get("b:" + digest)
    if cached is not None and (cached[0] is None or cached[0] > now):
        return replace(cached[1], run_id=run_id) if run_id else cached[1]
    row = await queries.BOARD_KEY.fetchrow(session, digest)
    if row is None or (row["expires_at"] is not None and row["expires_at"] <= now):
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] > LAST_USED_GRANULARITY:
        await session.execute(
            sa.update(BoardApiKey).where(BoardApiKey.id == row["id"]).values(last_used_at=now)
        )
    actor = _board_actor(row, "board_key", key_id=row["id"])
    actor_cache.put("b:" + digest, row["expires_at"], actor)
    return replace(actor, run_id=run_id) if run_id else actor


def _board_actor(row, source: str, *, key_id=None, session_id=None, run_id=None) -> Actor:
    return Actor(
        type="board",
        source=source,
        user_id=row["user_id"],
        company_ids=frozenset(row["companies"]),
        viewer_company_ids=frozenset(row["viewer_companies"]),
        is_instance_admin=bool(row["is_admin"]),
        key_id=key_id,
        session_id=session_id,
        run_id=run_id,
    )


async def _agent_key_actor(session: AsyncSession, digest: str, now: datetime, run_id) -> Actor | None:
    key = await queries.AGENT_KEY.fetchrow(session, digest)
    if key is None:
        return None
    if key["status"] in INACTIVE_AGENT_STATUSES:
        raise Unauthorized("Agent is not active")
    if key["last_used_at"] is None or now - key["last_used_at"] > LAST_USED_GRANULARITY:
        await session.execute(
            sa.update(AgentApiKey).where(AgentApiKey.id == key["id"]).values(last_used_at=now)
        )
    return Actor(
        type="agent",
        source="agent_key",
        agent_id=key["agent_id"],
        company_id=key["company_id"],
        key_id=key["id"],
        run_id=run_id,
    )


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    return value.strip()

"""Browser sessions: rows in `auth_sessions`, found by the SHA-256 of the cookie's token.

A session lasts SESSION_TTL and is renewed (expiry moved forward) when used more than RENEW_AFTER
after its last renewal; signing out deletes the row, so a copied cookie stops working at once.

For the board UI: `SessionCookie(settings).set(response, token)` / `.clear(response)` write the
cookie on any Starlette response; `create_session` / `revoke_session` / `lookup_session` are the
service functions (they never commit).
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from paperclip.auth import actor_cache, queries
from paperclip.auth.tokens import hash_token
from paperclip.config import Settings
from paperclip.db.models import AuthSession

SESSION_TTL = timedelta(days=7)
RENEW_AFTER = timedelta(days=1)
MAX_TOKEN_LENGTH = 256


def cookie_prefix(settings: Settings) -> str:
    """`paperclip-<instance id>` with anything but letters, digits, `-` and `_` replaced."""
    return "paperclip-" + re.sub(r"[^A-Za-z0-9_-]", "-", settings.paths.instance_id)


def secure_cookies(settings: Settings) -> bool:
    """Secure only when the public URL is https (a plain-HTTP LAN or Tailscale URL must keep working)."""
    url = settings.env.get("PAPERCLIP_PUBLIC_URL") or settings.auth_public_base_url or ""
    return url.lower().startswith("https://")


@dataclass(frozen=True)
class SessionCookie:
    """The session cookie of an instance: its name and the attributes it is written with."""

    name: str
    secure: bool

    @classmethod
    def of(cls, settings: Settings) -> SessionCookie:
        secure = secure_cookies(settings)
        name = f"{cookie_prefix(settings)}.session_token"
        return cls(name=("__Secure-" + name) if secure else name, secure=secure)

    def set(self, response: Response, token: str, max_age: timedelta = SESSION_TTL) -> None:
        response.set_cookie(
            self.name,
            token,
            max_age=int(max_age.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(self.name, path="/", httponly=True, samesite="lax", secure=self.secure)

    def read(self, cookie_header: str | None) -> str | None:
        """The token from a raw `Cookie` header (None when absent)."""
        if not cookie_header or self.name not in cookie_header:
            return None
        for part in cookie_header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == self.name:
                return value.strip().strip('"')
        return None


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


async def create_session(
    session: AsyncSession,
    user_id: str,
    now: datetime,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, AuthSession]:
    """A new session for `user_id`: (the cookie's token — shown once, never stored — and the row)."""
    token = new_session_token()
    row = AuthSession(
        id=uuid.uuid4(),
        token_hash=hash_token(token),
        user_id=user_id,
        expires_at=now + SESSION_TTL,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:512] or None,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return token, row


async def lookup_session(session: AsyncSession, token: str, now: datetime):
    """The SESSION_ACTOR row of a live session (renewing it when due), or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = await queries.SESSION_ACTOR.fetchrow(session, hash_token(token))
    if row is None or row["expires_at"] <= now:
        return None
    if now - row["updated_at"] > RENEW_AFTER:
        await session.execute(
            sa.update(AuthSession)
            .where(AuthSession.id == row["id"])
            .values(expires_at=now + SESSION_TTL, updated_at=now)
        )
    return row


async def revoke_session(session: AsyncSession, token: str) -> bool:
    """Sign a session out (deletes its row); False when it did not exist."""
    digest = hash_token(token)
    result = await session.execute(sa.delete(AuthSession).where(AuthSession.token_hash == digest))
    actor_cache.forget("s:" + digest)
    return bool(result.rowcount)


async def revoke_other_sessions(
    session: AsyncSession, user_id: str, keep_session_id: uuid.UUID | None
) -> int:
    """Every session of `user_id` but one (a password change); the number signed out."""
    stmt = sa.delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep_session_id is not None:
        stmt = stmt.where(AuthSession.id != keep_session_id)
    return (await session.execute(stmt)).rowcount or 0

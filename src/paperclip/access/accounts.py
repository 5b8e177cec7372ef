"""People's accounts: sign up, sign in, sign out, change password (service functions, never commit).

Used by the `/api/auth/*` routes and by the board UI's /auth pages:

    user = await sign_up(session, settings, name=..., email=..., password=..., now=now, invite_token=None)
    user = await sign_in(session, state, email=..., password=..., client_address=ip, now=now)
    token, row = await sessions.create_session(session, user.id, now)   # then SessionCookie.set(response, token)
    await sign_out(session, token)
    await change_password(session, user_id, current_password=..., new_password=..., keep_session_id=..., now=now)

Errors are `paperclip.access.errors.AuthError` (Better Auth's codes and messages). Emails are
normalised (trimmed, lowercased); passwords are argon2id hashes; an unknown email costs the same
time as a wrong password.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.access import throttle
from paperclip.access.errors import AuthError, invalid_credentials, sign_up_disabled, too_many_attempts
from paperclip.access.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from paperclip.auth.sessions import revoke_other_sessions, revoke_session
from paperclip.auth.tokens import hash_token
from paperclip.config import Settings
from paperclip.db.models import Invite, User

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 120
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID_ALPHABET = string.ascii_letters + string.digits


def new_user_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: object) -> str:
    if (
        not isinstance(email, str)
        or len(email) > MAX_EMAIL_LENGTH
        or not _EMAIL.match(normalise_email(email))
    ):
        raise AuthError(400, "INVALID_EMAIL", "Invalid email")
    return normalise_email(email)


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(400, "PASSWORD_TOO_SHORT", "Password too short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(400, "PASSWORD_TOO_LONG", "Password too long")
    return password


def user_to_wire(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "image": user.image,
        "emailVerified": user.email_verified,
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
    }


async def active_invite(session: AsyncSession, token: str | None, now: datetime) -> Invite | None:
    """The invite a token names when it can still be accepted by a person (not revoked, accepted or expired)."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    invite = await session.scalar(sa.select(Invite).where(Invite.token_hash == hash_token(token)))
    if (
        invite is None
        or invite.revoked_at is not None
        or invite.accepted_at is not None
        or (invite.expires_at is not None and invite.expires_at <= now)
        or invite.allowed_join_types not in ("human", "both")
    ):
        return None
    return invite


async def sign_up(
    session: AsyncSession,
    settings: Settings,
    *,
    name: object,
    email: object,
    password: object,
    now: datetime,
    invite_token: str | None = None,
    state=None,
    client_address: str | None = None,
) -> User:
    """A new account. With sign-up disabled (auth.disableSignUp / PAPERCLIP_AUTH_DISABLE_SIGN_UP) only
    the holder of an active invite may sign up: a fresh instance can still get its first admin.
    With `state` (the app's), attempts are counted per client address, every replica together (429)."""
    if state is not None:
        wait = await throttle.count_sign_up(state, client_address, now)
        if wait is not None:
            raise too_many_attempts(wait)
    address = check_email(email)
    secret = check_password(password)
    display = name.strip()[:MAX_NAME_LENGTH] if isinstance(name, str) else ""
    if settings.auth_disable_sign_up and await active_invite(session, invite_token, now) is None:
        raise sign_up_disabled()
    password_hash = await hash_password(secret)
    stmt = (
        insert(User)
        .values(
            id=new_user_id(),
            name=display or address.split("@")[0],
            email=address,
            email_verified=False,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(User)
    )
    user = (await session.execute(stmt)).scalar_one_or_none()
    if user is None:
        raise AuthError(422, "USER_ALREADY_EXISTS", "User already exists. Use another email.")
    return user


async def sign_in(
    session: AsyncSession,
    state,
    *,
    email: object,
    password: object,
    client_address: str | None,
    now: datetime,
) -> User:
    """The user whose email and password these are; throttled per account and per client address
    (429 with Retry-After). Unknown email and wrong password are the same answer in the same time."""
    if (
        not isinstance(email, str)
        or not isinstance(password, str)
        or len(email) > MAX_EMAIL_LENGTH
        or len(password) > MAX_PASSWORD_LENGTH
    ):
        raise invalid_credentials()
    address = normalise_email(email)
    keys = throttle.ThrottleKeys.of(address, client_address)
    wait = await throttle.retry_after(state, keys, now)
    if wait is not None:
        raise too_many_attempts(wait)
    user = await session.scalar(sa.select(User).where(sa.func.lower(User.email) == address))
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        await throttle.record_failure(state, keys, now)
        raise invalid_credentials()
    await throttle.clear_account(state, keys)
    return user


async def change_password(
    session: AsyncSession,
    user_id: str,
    *,
    current_password: object,
    new_password: object,
    keep_session_id: uuid.UUID | None,
    now: datetime,
) -> int:
    """Set a new password (the current one must match) and sign out every other session of the user;
    returns how many sessions were signed out."""
    secret = check_password(new_password)
    user = await session.scalar(sa.select(User).where(User.id == user_id).with_for_update())
    if (
        user is None
        or not isinstance(current_password, str)
        or not await verify_password(user.password_hash, current_password)
    ):
        raise AuthError(400, "INVALID_PASSWORD", "Invalid password")
    user.password_hash = await hash_password(secret)
    user.updated_at = now
    return await revoke_other_sessions(session, user_id, keep_session_id)


async def sign_out(session: AsyncSession, token: str) -> bool:
    """End the session whose cookie token this is (its row is deleted); False when there was none."""
    return await revoke_session(session, token)

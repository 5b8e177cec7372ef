"""Headless first admin for containers: PAPERCLIP_ADMIN_EMAIL + PAPERCLIP_ADMIN_PASSWORD (or the
`_FILE` variants naming files that hold them) create the first instance admin at start-up when the
instance has none. An existing admin or account is never overwritten."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from paperclip.access import queries
from paperclip.access.accounts import check_email, check_password, new_user_id
from paperclip.access.passwords import hash_password
from paperclip.config import Settings
from paperclip.db.models import InstanceUserRole, User
from paperclip.errors import AppError, ConfigError

log = logging.getLogger("paperclip.server")


def _value(settings: Settings, name: str) -> str | None:
    value = settings.env.get(name)
    if value:
        return value.strip()
    path = settings.env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(f"{name}_FILE cannot be read ({exc.strerror})") from None
    return None


def env_admin(settings: Settings) -> tuple[str, str] | None:
    email, password = _value(settings, "PAPERCLIP_ADMIN_EMAIL"), _value(settings, "PAPERCLIP_ADMIN_PASSWORD")
    if not email and not password:
        return None
    if not email or not password:
        raise ConfigError(
            "PAPERCLIP_ADMIN_EMAIL and PAPERCLIP_ADMIN_PASSWORD (or their _FILE variants) go together"
        )
    try:
        return check_email(email), check_password(password)
    except AppError as exc:
        raise ConfigError(f"PAPERCLIP_ADMIN_EMAIL/PASSWORD: {exc.message}") from None


async def ensure_env_admin(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], now: datetime
) -> str | None:
    """Create the env's admin when no instance admin exists (in a transaction of its own from
    `sessions`); the user id, or None when nothing was done."""
    wanted = env_admin(settings)
    if wanted is None or settings.is_local_trusted:
        return None
    email, password = wanted
    async with sessions() as session, session.begin():
        # One start-up at a time decides (replicas may start together).
        await queries.ENV_ADMIN_LOCK.execute(session)
        if await session.scalar(sa.select(sa.exists().where(InstanceUserRole.role == "instance_admin"))):
            return None
        if await session.scalar(sa.select(sa.exists().where(sa.func.lower(User.email) == email))):
            log.warning(
                "PAPERCLIP_ADMIN_EMAIL names an existing account: it is left unchanged (no admin created)"
            )
            return None
        user_id = new_user_id()
        await session.execute(
            insert(User).values(
                id=user_id,
                name=email.split("@")[0],
                email=email,
                email_verified=True,
                password_hash=await hash_password(password),
                created_at=now,
                updated_at=now,
            )
        )
        await session.execute(insert(InstanceUserRole).values(user_id=user_id, role="instance_admin"))
    log.info("First instance admin created from PAPERCLIP_ADMIN_EMAIL")
    return user_id

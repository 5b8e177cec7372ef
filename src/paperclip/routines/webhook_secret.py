"""A webhook trigger's signing secret: a company secret (local_encrypted, like every managed secret
here) named `routine-<routineId>-<hex>`, as the original stores it. HMAC modes need the plain value
at verification time, so it is encrypted rather than hashed. The value is shown once, in the answer
of the create or rotate request; activity entries name the secret by id only."""

from __future__ import annotations

import secrets as random
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.config import Settings
from paperclip.db.models import CompanySecret, CompanySecretVersion
from paperclip.secrets import canary
from paperclip.secrets.providers.base import SecretIdentity
from paperclip.secrets.providers.registry import get_provider
from paperclip.secrets.service import resolve_value

PROVIDER = "local_encrypted"


def new_value() -> str:
    return random.token_hex(24)


async def _version(
    session: AsyncSession,
    settings: Settings,
    secret: CompanySecret,
    version: int,
    value: str,
    actor: Actor,
    now: datetime,
) -> None:
    await canary.key_for_writing(session, settings)  # refuses a master key that is not the database's
    prepared = await get_provider(settings, PROVIDER).prepare(
        SecretIdentity(secret.company_id, secret.id, secret.name), version, value=value, external_ref=None
    )
    session.add(
        CompanySecretVersion(
            id=uuid.uuid4(),
            secret_id=secret.id,
            version=version,
            material=prepared.material,
            value_sha256=prepared.value_sha256,
            created_by_agent_id=actor.agent_id,
            created_by_user_id=actor.user_id if actor.is_board else None,
            created_at=now,
        )
    )


async def store(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    company_id: uuid.UUID,
    routine_id: uuid.UUID,
    value: str,
    now: datetime,
) -> CompanySecret:
    secret = CompanySecret(
        id=uuid.uuid4(),
        company_id=company_id,
        name=f"routine-{routine_id}-{random.token_hex(6)}",
        provider=PROVIDER,
        latest_version=1,
        description="Routine webhook signing secret",
        created_by_agent_id=actor.agent_id,
        created_by_user_id=actor.user_id if actor.is_board else None,
        last_rotated_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(secret)
    await session.flush()
    await _version(session, settings, secret, 1, value, actor, now)
    await session.flush()
    return secret


async def rotate(
    session: AsyncSession, settings: Settings, actor: Actor, secret: CompanySecret, value: str, now: datetime
) -> None:
    """A new version; the previous one stops verifying at once (only the latest is read)."""
    secret.latest_version += 1
    secret.updated_at = secret.last_rotated_at = now
    await _version(session, settings, secret, secret.latest_version, value, actor, now)
    await session.flush()


async def value_of(
    session: AsyncSession, settings: Settings, company_id: uuid.UUID, secret_id: uuid.UUID
) -> str:
    return await resolve_value(session, settings, company_id, secret_id)

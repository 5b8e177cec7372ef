"""Company secrets: create (version 1), list, get, update metadata, rotate (a new version), delete,
versions; and resolving one version's value, which only the heartbeat runner does at run time.

Values never leave this module except from `resolve_value`; activity entries name secrets by id,
name and version only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.companies.service import get_company
from paperclip.config import Settings
from paperclip.db.models import CompanySecret, CompanySecretVersion
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Conflict, NotFound, Unprocessable
from paperclip.secrets import canary, queries
from paperclip.secrets.providers.base import PreparedVersion, SecretIdentity, SecretProvider
from paperclip.secrets.providers.local_encrypted import LocalEncryptedProvider, decrypt
from paperclip.secrets.providers.registry import get_provider
from paperclip.secrets.schemas import SecretCreate, SecretPatch, SecretRotate

NOT_FOUND = "Secret not found"


def _invalid(path: str, message: str) -> BadRequest:
    return BadRequest("Validation error", [{"code": "custom", "path": [path], "message": message}])


def _conflict(name: str) -> Conflict:
    return Conflict(f"Secret already exists: {name}")


async def list_secrets(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, window: Window | None = None
) -> list[CompanySecret]:
    actor.require_board()
    await get_company(session, actor, company_id)
    stmt = (
        sa.select(CompanySecret)
        .where(CompanySecret.company_id == company_id)
        .order_by(CompanySecret.name, CompanySecret.id)
    )
    return list(await session.scalars(window.apply(stmt) if window else stmt))


async def get_secret(
    session: AsyncSession, actor: Actor, secret_id: uuid.UUID, *, for_update: bool = False
) -> CompanySecret:
    actor.require_board()
    stmt = sa.select(CompanySecret).where(CompanySecret.id == secret_id)
    if for_update:
        stmt = stmt.with_for_update()
    secret = await session.scalar(stmt)
    if secret is None:
        raise NotFound(NOT_FOUND)
    actor.require_company(secret.company_id)
    return secret


async def list_versions(
    session: AsyncSession, actor: Actor, secret_id: uuid.UUID, window: Window | None = None
) -> list[CompanySecretVersion]:
    secret = await get_secret(session, actor, secret_id)
    stmt = (
        sa.select(CompanySecretVersion)
        .where(CompanySecretVersion.secret_id == secret.id)
        .order_by(CompanySecretVersion.version.desc())
    )
    return list(await session.scalars(window.apply(stmt) if window else stmt))


async def _prepare(
    session: AsyncSession,
    settings: Settings,
    provider: SecretProvider,
    identity: SecretIdentity,
    version: int,
    value: str | None,
    external_ref: str | None,
) -> PreparedVersion:
    if value is None and (isinstance(provider, LocalEncryptedProvider) or external_ref is None):
        raise (
            _invalid("value", "Managed secrets require value")
            if version == 1
            else _invalid(
                "value",
                "Secret rotation requires value, externalRef, providerVersionRef, or providerConfigId",
            )
        )
    if isinstance(provider, LocalEncryptedProvider):
        await canary.key_for_writing(session, settings)  # refuses a key that is not the database's
    return await provider.prepare(identity, version, value=value, external_ref=external_ref)


def _version_row(secret: CompanySecret, version: int, prepared: PreparedVersion, actor: Actor, now: datetime):
    return CompanySecretVersion(
        id=uuid.uuid4(),
        secret_id=secret.id,
        version=version,
        material=prepared.material,
        value_sha256=prepared.value_sha256,
        created_by_agent_id=actor.agent_id,
        created_by_user_id=actor.user_id if actor.is_board else None,
        created_at=now,
    )


async def create_secret(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    company_id: uuid.UUID,
    body: SecretCreate,
    now: datetime,
) -> CompanySecret:
    actor.require_board()
    await get_company(session, actor, company_id)
    name = body.name.strip()
    if not name:
        raise Unprocessable("Secret name is required")
    exists = await session.scalar(
        sa.select(CompanySecret.id).where(CompanySecret.company_id == company_id, CompanySecret.name == name)
    )
    if exists is not None:
        raise _conflict(name)
    provider = get_provider(settings, body.provider)
    secret = CompanySecret(
        id=uuid.uuid4(),
        company_id=company_id,
        name=name,
        provider=provider.name,
        external_ref=None,
        latest_version=1,
        description=body.description,
        created_by_agent_id=actor.agent_id,
        created_by_user_id=actor.user_id if actor.is_board else None,
        last_rotated_at=now,
        created_at=now,
        updated_at=now,
    )
    prepared = await _prepare(
        session,
        settings,
        provider,
        SecretIdentity(company_id, secret.id, name),
        1,
        body.value,
        body.externalRef,
    )
    secret.external_ref = prepared.external_ref
    session.add(secret)
    try:
        await session.flush()
    except IntegrityError:
        raise _conflict(name) from None
    session.add(_version_row(secret, 1, prepared, actor, now))
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="secret.created",
        entity_type="secret",
        entity_id=secret.id,
        details={"name": name, "provider": secret.provider},
    )
    return secret


async def rotate_secret(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    secret_id: uuid.UUID,
    body: SecretRotate,
    now: datetime,
) -> CompanySecret:
    secret = await get_secret(session, actor, secret_id, for_update=True)
    provider = get_provider(settings, secret.provider)
    version = secret.latest_version + 1
    external_ref = body.externalRef if body.externalRef is not None else secret.external_ref
    if secret.external_ref and body.value is not None:
        raise Unprocessable(
            "This secret references an external secret: rotate it with externalRef, not a value"
        )
    prepared = await _prepare(
        session,
        settings,
        provider,
        SecretIdentity(secret.company_id, secret.id, secret.name),
        version,
        body.value,
        None if body.value is not None else external_ref,
    )
    session.add(_version_row(secret, version, prepared, actor, now))
    secret.latest_version = version
    secret.external_ref = prepared.external_ref
    secret.updated_at = secret.last_rotated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=secret.company_id,
        action="secret.rotated",
        entity_type="secret",
        entity_id=secret.id,
        details={"version": version},
    )
    return secret


async def update_secret(
    session: AsyncSession, actor: Actor, secret_id: uuid.UUID, body: SecretPatch, now: datetime
) -> CompanySecret:
    secret = await get_secret(session, actor, secret_id, for_update=True)
    changed: list[str] = []
    if body.sent("name") and body.name is not None and body.name.strip() != secret.name:
        name = body.name.strip()
        if not name:
            raise Unprocessable("Secret name is required")
        taken = await session.scalar(
            sa.select(CompanySecret.id).where(
                CompanySecret.company_id == secret.company_id,
                CompanySecret.name == name,
                CompanySecret.id != secret.id,
            )
        )
        if taken is not None:
            raise _conflict(name)
        secret.name = name
        changed.append("name")
    if body.sent("description") and body.description != secret.description:
        secret.description = body.description
        changed.append("description")
    if body.sent("externalRef") and body.externalRef != secret.external_ref:
        # a reference is part of a version: a new one is a rotation (POST /secrets/{id}/rotate)
        raise Unprocessable("externalRef changes by rotating the secret (POST /api/secrets/{id}/rotate)")
    if changed:
        secret.updated_at = now
        await session.flush()
        await record(
            session,
            actor,
            company_id=secret.company_id,
            action="secret.updated",
            entity_type="secret",
            entity_id=secret.id,
            details={"name": secret.name},
        )
    return secret


async def delete_secret(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,  # noqa: ARG001 (callers pass it)
    secret_id: uuid.UUID,
) -> CompanySecret:
    """Metadata and versions go (versions by the foreign key's cascade); a managed copy in an external
    provider is queued for deletion there by the database, in this transaction (secret_deletions, see
    secrets/cleanup.py), and removed once it commits. Bindings that still name the secret fail at run
    time with "Secret not found"."""
    secret = await get_secret(session, actor, secret_id, for_update=True)
    await record(
        session,
        actor,
        company_id=secret.company_id,
        action="secret.deleted",
        entity_type="secret",
        entity_id=secret.id,
        details={"name": secret.name},
    )
    await session.execute(sa.delete(CompanySecret).where(CompanySecret.id == secret.id))
    return secret


async def bindings(session: AsyncSession, company_id: uuid.UUID) -> list[dict[str, Any]]:
    return await queries.SECRET_BINDINGS.fetch(session, company_id=company_id)


async def reference_counts(session: AsyncSession, company_id: uuid.UUID) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in await bindings(session, company_id):
        counts[row["secret_id"]] = counts.get(row["secret_id"], 0) + 1
    return counts


async def usage(session: AsyncSession, actor: Actor, secret_id: uuid.UUID) -> dict[str, Any]:
    secret = await get_secret(session, actor, secret_id)
    rows = [r for r in await bindings(session, secret.company_id) if r["secret_id"] == str(secret.id)]
    return {
        "secretId": str(secret.id),
        "bindings": [
            {
                "targetType": r["target_type"],
                "targetId": str(r["target_id"]),
                "targetName": r["target_name"],
                "envKey": r["env_key"],
                "version": int(r["version"]) if (r["version"] or "").isdigit() else "latest",
            }
            for r in rows
        ],
    }


# -- run time -----------------------------------------------------------------------------------


async def resolve_value(
    session: AsyncSession, settings: Settings, company_id: uuid.UUID, secret_id: Any, version: Any = "latest"
) -> str:
    """The value of one version of a company's secret (a `secret_ref` binding at run time)."""
    try:
        sid = uuid.UUID(str(secret_id))
    except ValueError:
        raise NotFound(NOT_FOUND) from None
    secret = await session.get(CompanySecret, sid)
    if secret is None or secret.company_id != company_id:
        raise NotFound(NOT_FOUND)
    wanted = secret.latest_version if version in (None, "latest") else version
    row = await session.scalar(
        sa.select(CompanySecretVersion).where(
            CompanySecretVersion.secret_id == sid, CompanySecretVersion.version == wanted
        )
    )
    if row is None or row.revoked_at is not None:
        raise NotFound(f"Secret version not found: {secret.name} v{wanted}")
    provider = get_provider(settings, secret.provider)
    if isinstance(provider, LocalEncryptedProvider):
        key = provider.key(create=False)
        return decrypt(key, row.material)
    return await provider.resolve(row.material, secret.external_ref)

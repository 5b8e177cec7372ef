"""What an agent run may read of its company's secrets (the original's /agents/me/secrets routes).

Only a run-bound caller (a run JWT whose run is the agent's own) sees anything, and only the secrets
its bindings name: the agent's adapter-config env and the env of the project the run works in — the
same bindings the runner resolves into the process environment (secrets.runtime). Values leave the
server here only for those secrets; every read is an activity entry (names and versions, no value).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.companies.service import get_company
from paperclip.config import Settings
from paperclip.db.models import CompanySecret
from paperclip.db.paging import Window
from paperclip.errors import Forbidden
from paperclip.secrets import queries
from paperclip.secrets.runtime import project_env_bindings
from paperclip.secrets.schemas import secret_key
from paperclip.secrets.service import resolve_value

RUN_BOUND = "Run-bound agent authentication required"
NOT_GRANTED = "Secret access is not granted for this agent"


async def _run_bindings(session: AsyncSession, actor: Actor) -> list[tuple[str, uuid.UUID, Any]]:
    """(env key, secret id, version selector) of every secret_ref the caller's run binds."""
    if not (actor.is_agent and actor.source == "agent_jwt" and actor.run_id and actor.company_id):
        raise Forbidden(RUN_BOUND)
    row = await queries.RUN_AGENT_ENV.fetchrow(
        session, run=actor.run_id, agent=actor.agent_id, company=actor.company_id
    )
    if row is None:  # a run of another agent named by X-Paperclip-Run-Id
        raise Forbidden(RUN_BOUND)
    bindings: dict[str, Any] = dict(row["env"]) if isinstance(row["env"], dict) else {}
    project_env = await project_env_bindings(session, actor.company_id, row["context_snapshot"] or {})
    bindings.update(project_env or {})  # the project's keys win, as at run time
    out = []
    for env_key, binding in bindings.items():
        if isinstance(binding, dict) and binding.get("type") == "secret_ref":
            try:
                out.append(
                    (str(env_key), uuid.UUID(str(binding.get("secretId"))), binding.get("version", "latest"))
                )
            except ValueError:
                continue
    return out


def _selector(version: Any) -> int | str:
    return version if isinstance(version, int) and version > 0 else "latest"


async def accessible(session: AsyncSession, actor: Actor) -> list[tuple[str, CompanySecret, int | str]]:
    """(env key, secret, version selector) per secret, the first binding of each secret in key order."""
    bound = await _run_bindings(session, actor)
    ids = {sid for _, sid, _ in bound}
    secrets = (
        {
            s.id: s
            for s in await session.scalars(
                sa.select(CompanySecret).where(
                    CompanySecret.id.in_(ids), CompanySecret.company_id == actor.company_id
                )
            )
        }
        if ids
        else {}
    )
    out, seen = [], set()
    for env_key, sid, version in bound:
        secret = secrets.get(sid)
        if secret is not None and sid not in seen:
            seen.add(sid)
            out.append((env_key, secret, _selector(version)))
    return out


def _entry(secret: CompanySecret, selector: int | str) -> dict[str, Any]:
    return {
        "key": secret_key(secret.name),
        "name": secret.name,
        "description": secret.description,
        "delivery": "env",
        "projectionClass": "unclassified",
        "latestVersion": secret.latest_version,
        "versionSelector": selector,
        "resolvedVersion": secret.latest_version if selector == "latest" else selector,
        "secretRef": str(secret.id),
    }


async def list_for_run(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    found = await accessible(session, actor)
    assert actor.company_id is not None
    await record(
        session,
        actor,
        company_id=actor.company_id,
        action="secret.access.listed",
        entity_type="agent",
        entity_id=str(actor.agent_id),
        details={"count": len(found)},
    )
    return {"secrets": [_entry(secret, selector) for _, secret, selector in found]}


async def value_for_run(session: AsyncSession, actor: Actor, settings: Settings, key: str) -> dict[str, Any]:
    for env_key, secret, selector in await accessible(session, actor):
        if secret_key(secret.name) == key:
            version = secret.latest_version if selector == "latest" else int(selector)
            value = await resolve_value(session, settings, secret.company_id, secret.id, version)
            await record(
                session,
                actor,
                company_id=secret.company_id,
                action="secret.value.read",
                entity_type="secret",
                entity_id=secret.id,
                details={"outcome": "success", "version": version, "configPath": f"env.{env_key}"},
            )
            return {"key": key, "value": value, "version": version}
    raise Forbidden(NOT_GRANTED)


async def catalog(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, window: Window | None = None
) -> list[dict[str, Any]]:
    """Metadata only (id, name, key, status), for the board and the company's agents."""
    await get_company(session, actor, company_id)
    stmt = (
        sa.select(CompanySecret)
        .where(CompanySecret.company_id == company_id)
        .order_by(CompanySecret.name, CompanySecret.id)
    )
    secrets = await session.scalars(window.apply(stmt) if window else stmt)
    return [{"id": str(s.id), "name": s.name, "key": secret_key(s.name), "status": "active"} for s in secrets]

"""Environments at the original's routes, shapes and messages. Environments are instance-wide (every
company lists the same ones) and each change is written into every company's activity, as the
original does. Only the local driver runs agents here: the built-in Local environment exists once,
so creating another local one is the original's 409, and SSH, sandbox and plugin environments are
refused with a 422 saying so (a saved environment that nothing can run in would mislead)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.environments import queries as Q
from paperclip.environments.probe import probe_driver
from paperclip.errors import Conflict, Forbidden, NotFound, Unprocessable
from paperclip.ids import parse_uuid
from paperclip.wire import iso

LOCAL_NAME = "Local"
LOCAL_DESCRIPTION = "Default execution environment for Paperclip runs on this machine."
LOCAL_METADATA = {"defaultForInstance": True, "managedByPaperclip": True}
NOT_FOUND = "Environment not found"
MANAGE_DENIED = "Instance environment management is restricted to board operators"
# the original's answer to a config, envVars or driver change (it keeps no per-company secrets there)
SECRET_CONTEXT = (
    "Environment secret management requires a companyId context during the instance-scoped transition."
)
SSH_REQUIRED = (
    ("host", "SSH environments require a host."),
    ("username", "SSH environments require a username."),
    ("remoteWorkspacePath", "SSH environments require a remote workspace path."),
)


def to_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "description": row["description"],
        "driver": row["driver"],
        "status": row["status"],
        "config": row["config"] or {},
        "envVars": row["env_vars"] or {},
        "metadata": row["metadata_json"],
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


def require_manager(actor: Actor) -> None:
    actor.require_authenticated()
    if not actor.is_board:
        raise Forbidden(MANAGE_DENIED)


async def _ensure_local(session: AsyncSession) -> None:
    await Q.ENSURE_LOCAL.execute(
        session, name=LOCAL_NAME, description=LOCAL_DESCRIPTION, metadata=LOCAL_METADATA
    )


async def list_environments(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, driver: str | None, status: str | None
) -> list[dict[str, Any]]:
    actor.require_board()
    actor.require_company(company_id)
    return [to_wire(r) for r in await Q.LIST.fetch(session, driver=driver, status=status)]


async def load(session: AsyncSession, ref: str, *, for_update: bool = False) -> dict[str, Any]:
    env_id = parse_uuid(ref)
    if env_id is None:
        raise NotFound(NOT_FOUND)
    row = await (Q.GET_FOR_UPDATE if for_update else Q.GET).fetchrow(session, id=env_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


async def get_environment(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    actor.require_board()
    return to_wire(await load(session, ref))


async def _record_everywhere(
    session: AsyncSession, actor: Actor, action: str, entity_id: uuid.UUID | str, details: dict[str, Any]
) -> None:
    for company in await Q.COMPANY_IDS.fetch(session):
        await record(
            session,
            actor,
            company_id=company["id"],
            action=action,
            entity_type="environment",
            entity_id=entity_id,
            details=details,
        )


def _check_ssh_config(config: dict[str, Any]) -> None:
    missing = [
        (key, message)
        for key, message in SSH_REQUIRED
        if not isinstance(config.get(key), str) or not config[key].strip()
    ]
    if missing:
        issues = [
            {"expected": "string", "code": "invalid_type", "path": [key], "message": message}
            for key, message in missing
        ]
        raise Unprocessable(missing[0][1], {"issues": issues})


async def create_environment(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: dict[str, Any]
) -> dict[str, Any]:
    require_manager(actor)
    actor.require_company(company_id)
    driver = body["driver"]
    if driver == "local":
        await _ensure_local(session)
        raise Conflict("A local environment already exists for this instance.")
    if driver == "ssh":
        _check_ssh_config(body.get("config") or {})
    raise Unprocessable(
        f"{driver.capitalize() if driver != 'ssh' else 'SSH'} environments are not supported by this server: "
        "agent runs execute on the local driver only."
    )


async def update_environment(
    session: AsyncSession, actor: Actor, ref: str, changes: dict[str, Any], now: datetime
) -> dict[str, Any]:
    require_manager(actor)
    row = await load(session, ref, for_update=True)
    if {"config", "envVars", "driver"} & changes.keys():
        raise Unprocessable(SECRET_CONTEXT)
    details: dict[str, Any] = {"changedFields": sorted(changes)}
    for key in ("name", "status"):
        if key in changes:
            details[key] = changes[key]
    if "description" in changes:
        details["descriptionChanged"] = True
    if "metadata" in changes:
        details["metadataChanged"] = True
        details["metadataTopLevelKeyCount"] = len(changes["metadata"] or {})
    updated = await Q.UPDATE.fetchrow(
        session,
        id=row["id"],
        name=changes.get("name", row["name"]),
        description=changes.get("description", row["description"]),
        status=changes.get("status", row["status"]),
        metadata=changes.get("metadata", row["metadata_json"]),
        now=now,
    )
    assert updated is not None  # locked above
    await _record_everywhere(session, actor, "environment.updated", row["id"], details)
    return to_wire(updated)


async def blast_radius(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    actor.require_board()
    return await _blast_radius(session, await load(session, ref))


async def _blast_radius(session: AsyncSession, row: dict[str, Any]) -> dict[str, Any]:
    ids = await Q.INSTANCE_IDS.fetchrow(session)
    managed = ids is not None and row["id"] == ids["local_environment_id"]
    default = ids is not None and row["id"] == ids["default_environment_id"]
    # every run on this machine leases the local environment
    active = int(await Q.ACTIVE_LEASE_COUNT.fetchval(session)) if row["driver"] == "local" else 0
    reasons = [r for r, on in (("managed_local", managed), ("instance_default", default)) if on]
    if active:
        reasons.append("active_runtime_use")
    return {
        "environmentId": str(row["id"]),
        "canDelete": not reasons,
        "deleteBlockedReasons": reasons,
        "pendingCleanupLeaseCount": 0,
        "reusableSandboxLeaseCount": 0,
        "reusableSandboxLeaseHolders": [],
        "staticReferences": {
            "isManagedLocal": managed,
            "isInstanceDefault": default,
            "agentDefaultCount": 0,
            "executionWorkspaceSelectionCount": 0,
            "issueSelectionCount": 0,
            "projectSelectionCount": 0,
            "secretBindingCount": 0,
        },
        "activeRuntimeUse": {
            "activeLeaseCount": active,
            "activeCustomImageSetupSessionCount": 0,
            "hasActiveRuntimeUse": active > 0,
        },
    }


async def delete_environment(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    require_manager(actor)
    row = await load(session, ref, for_update=True)
    radius = await _blast_radius(session, row)
    if not radius["canDelete"]:
        reasons = radius["deleteBlockedReasons"]
        message = (
            "Cannot delete the managed local environment."
            if "managed_local" in reasons
            else "Cannot delete this environment while it is in use."
        )
        raise Conflict(message, {"deleteBlockedReasons": reasons})
    await Q.DELETE.execute(session, id=row["id"])
    await _record_everywhere(
        session,
        actor,
        "environment.deleted",
        row["id"],
        {"name": row["name"], "driver": row["driver"], "status": row["status"]},
    )
    return {**to_wire(row), "destroyedReusableSandboxLeaseCount": 0}


async def secret_refs(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    actor.require_board()
    await load(session, ref)
    return {"refs": []}  # no environment keeps secret references here (config changes are refused)


async def probe_environment(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    require_manager(actor)
    row = await load(session, ref)
    result = probe_driver(row["driver"])
    await _record_everywhere(
        session,
        actor,
        "environment.probed",
        row["id"],
        {"ok": result["ok"], "driver": result["driver"], "summary": result["summary"]},
    )
    return result


async def probe_config(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: dict[str, Any]
) -> dict[str, Any]:
    require_manager(actor)
    actor.require_company(company_id)
    config = body.get("config") or {}
    if body["driver"] == "ssh":
        _check_ssh_config(config)
    result = probe_driver(body["driver"])
    await _record_everywhere(
        session,
        actor,
        "environment.probed_unsaved",
        "unsaved",
        {
            "ok": result["ok"],
            "driver": result["driver"],
            "summary": result["summary"],
            "configTopLevelKeyCount": len(config),
        },
    )
    return result

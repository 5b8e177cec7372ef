"""Environment leases. The original writes a lease row when a run starts in an environment and
releases it when the run ends; here every run executes on this machine, so a run that started is
the Local environment's lease (its id is the run's id): active while it runs, released when it
ends, failed when it failed or timed out. Derived on read, so the heartbeat's hot path writes
nothing more."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.paging import Window
from paperclip.environments import queries as Q
from paperclip.environments.service import load
from paperclip.errors import NotFound
from paperclip.ids import parse_uuid
from paperclip.wire import iso

LEASE_NOT_FOUND = "Environment lease not found"
# lease status -> the run statuses it stands for
_RUN_STATUSES = {
    "active": ["running"],
    "released": ["succeeded", "cancelled"],
    "failed": ["failed", "timed_out"],
}
_LEASE_STATUS = {run: lease for lease, runs in _RUN_STATUSES.items() for run in runs}


def lease_to_wire(row: dict[str, Any], environment_id: Any) -> dict[str, Any]:
    status = _LEASE_STATUS.get(row["run_status"], "active")
    ended = row["finished_at"] if status != "active" else None
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "environmentId": str(environment_id),
        "executionWorkspaceId": None,
        "issueId": row["issue_id"],
        "heartbeatRunId": str(row["id"]),
        "status": status,
        "leasePolicy": "ephemeral",
        "provider": "local",
        "providerLeaseId": None,
        "acquiredAt": iso(row["started_at"]),
        "lastUsedAt": iso(ended or row["updated_at"]),
        "expiresAt": None,
        "releasedAt": iso(ended),
        "failureReason": (row["error"] or "Run failed") if status == "failed" else None,
        "cleanupStatus": None,
        "metadata": {"driver": "local", "agentId": str(row["agent_id"])},
        "createdAt": iso(row["started_at"]),
        "updatedAt": iso(ended or row["updated_at"]),
    }


async def list_leases(
    session: AsyncSession, actor: Actor, ref: str, status: str | None, window: Window
) -> list[dict[str, Any]]:
    actor.require_board()
    env = await load(session, ref)
    if env["driver"] != "local":
        return []
    statuses = None if status is None else _RUN_STATUSES.get(status, [])
    rows = await Q.LEASES.fetch(
        session,
        company_ids=actor.visible_company_ids(),
        statuses=statuses,
        limit=window.limit,
        offset=window.offset,
    )
    return [lease_to_wire(r, env["id"]) for r in rows]


async def get_lease(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    actor.require_board()
    lease_id = parse_uuid(ref)
    row = await Q.LEASE.fetchrow(session, id=lease_id) if lease_id else None
    if row is None or not actor.can_access(row["company_id"]):
        raise NotFound(LEASE_NOT_FOUND)
    ids = await Q.INSTANCE_IDS.fetchrow(session)
    return lease_to_wire(row, ids["local_environment_id"] if ids else None)

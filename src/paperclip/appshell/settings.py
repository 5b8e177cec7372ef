"""Stored instance settings (the original's /api/instance/settings, /general, /experimental), the
built-in execution environment they name, and per-user sidebar orders.

The settings row is made by the migration that added it; `general` and `experimental` keep only
what the board changed and are merged over the defaults here when read. Changing them is an
instance admin's act (the local board is one) and writes an activity entry in every company, as
the original does. What the values change: they are what the original's web app reads to shape
itself; our own server reads none of them yet (see the README).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Company, InstanceSettings, SidebarPreference
from paperclip.errors import Unprocessable
from paperclip.wire import iso

# The original's values on a fresh instance.
GENERAL_DEFAULTS: dict[str, Any] = {
    "censorUsernameInLogs": False,
    "keyboardShortcuts": False,
    "feedbackDataSharingPreference": "prompt",
    "backupRetention": {"dailyDays": 7, "weeklyWeeks": 4, "monthlyMonths": 1},
}
EXPERIMENTAL_DEFAULTS: dict[str, Any] = {
    "enableEnvironments": False,
    "enableNativeRunner": True,
    "enableManagedSandboxOnly": False,
    "enableIsolatedWorkspaces": False,
    "enableIsolatedWorkspacesByDefault": False,
    "enableStreamlinedLeftNavigation": True,
    "enableStreamlinedUi": True,
    "enableApps": True,
    "enableChatConnectors": False,
    "enablePipelines": False,
    "enableCases": False,
    "enableAgentChat": False,
    "enableConferenceRoomChat": False,
    "enableClassicTaskInterface": False,
    "enableIssuePlanDecompositions": False,
    "enableExperimentalFileViewer": False,
    "enableExternalObjects": False,
    "enableSmokeLab": False,
    "enableBuiltInAgents": False,
    "enableBetaSkills": False,
    "enableSummaries": False,
    "enableStatusCards": False,
    "enableDecisions": False,
    "enableGoalsSidebarLink": False,
    "enableServerInfoDebugView": False,
    "enablePaperclipDeveloperMode": False,
    "enableSimplifiedEnglishInteractions": False,
    "enableFirstTaskPlanProposal": False,
    "autoRestartDevServerWhenIdle": False,
    "enableWorkspaceBranchReconcileForward": True,
    "enableWorkspaceDirtyQuarantineRepair": True,
    "enableOwnerInstanceAdmin": False,
    "enableSandboxDuplexBridge": False,
    "enableRunnerPreviewIngress": False,
    "enableWorktreeRunExecution": False,
    "worktreeRunExecutionActivatedAt": None,
    "worktreeRunExecutionActivationInstanceId": None,
}
EXPERIMENTAL_FLAGS = tuple(k for k, v in EXPERIMENTAL_DEFAULTS.items() if isinstance(v, bool))

ENVIRONMENT_NOT_FOUND = "Environment not found."
MAX_SIDEBAR_IDS = 1000


def _merged(defaults: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(defaults)
    for key, value in (stored or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


async def _row(session: AsyncSession, *, for_update: bool = False) -> InstanceSettings:
    stmt = sa.select(InstanceSettings).where(InstanceSettings.singleton == "default")
    row = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if row is None:  # the migration made it; someone deleted it by hand: make it again
        await session.execute(insert(InstanceSettings).values(singleton="default").on_conflict_do_nothing())
        row = await session.scalar(stmt.with_for_update() if for_update else stmt)
    assert row is not None
    return row


def general_of(row: InstanceSettings) -> dict[str, Any]:
    return _merged(GENERAL_DEFAULTS, row.general)


def experimental_of(row: InstanceSettings) -> dict[str, Any]:
    return _merged(EXPERIMENTAL_DEFAULTS, row.experimental)


def settings_to_wire(row: InstanceSettings) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "defaultEnvironmentId": str(row.default_environment_id) if row.default_environment_id else None,
        "general": general_of(row),
        "experimental": experimental_of(row),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


async def get_settings(session: AsyncSession) -> InstanceSettings:
    return await _row(session)


async def _record_everywhere(
    session: AsyncSession, actor: Actor, row: InstanceSettings, action: str, details: dict[str, Any]
) -> None:
    """The original writes an instance change into every company's activity."""
    for company_id in await session.scalars(sa.select(Company.id).order_by(Company.created_at)):
        await record(
            session,
            actor,
            company_id=company_id,
            action=action,
            entity_type="instance_settings",
            entity_id=row.id,
            details=details,
        )


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in after if before.get(k) != after.get(k))


async def patch_general(
    session: AsyncSession, actor: Actor, changes: dict[str, Any], now: datetime
) -> dict[str, Any]:
    def merged(stored: dict[str, Any]) -> dict[str, Any]:
        stored = copy.deepcopy(stored)
        for key, value in changes.items():
            stored[key] = {**stored.get(key, {}), **value} if key == "backupRetention" else value
        return stored

    return await _patch_part(session, actor, "general", merged, general_of, now)


async def patch_experimental(
    session: AsyncSession, actor: Actor, changes: dict[str, bool], now: datetime
) -> dict[str, Any]:
    return await _patch_part(
        session, actor, "experimental", lambda stored: {**stored, **changes}, experimental_of, now
    )


async def _patch_part(
    session: AsyncSession,
    actor: Actor,
    part: str,
    merged: Callable[[dict[str, Any]], dict[str, Any]],
    view: Callable[[InstanceSettings], dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """An instance admin changes one jsonb part of the settings (`general`, `experimental`) to
    `merged(stored)`; every company's activity gets `instance.settings.<part>_updated` with the part as
    it is now and the keys that changed. Returns the part as it is now."""
    actor.require_instance_admin()
    row = await _row(session, for_update=True)
    before = view(row)
    setattr(row, part, merged(getattr(row, part) or {}))
    row.updated_at = now
    after = view(row)
    await session.flush()
    await _record_everywhere(
        session,
        actor,
        row,
        f"instance.settings.{part}_updated",
        {part: after, "changedKeys": _changed(before, after)},
    )
    return after


async def patch_settings(
    session: AsyncSession, actor: Actor, changes: dict[str, Any], now: datetime
) -> dict[str, Any]:
    actor.require_instance_admin()
    row = await _row(session, for_update=True)
    if "defaultEnvironmentId" in changes:
        wanted = changes["defaultEnvironmentId"]
        if wanted is not None and wanted != row.local_environment_id:
            raise Unprocessable(ENVIRONMENT_NOT_FOUND)
        changed = wanted != row.default_environment_id
        row.default_environment_id = wanted
        row.updated_at = now
        await session.flush()
        await _record_everywhere(
            session,
            actor,
            row,
            "instance.settings.updated",
            {
                "changedKeys": ["defaultEnvironmentId"] if changed else [],
                "defaultEnvironmentId": str(wanted) if wanted else None,
            },
        )
    return settings_to_wire(row)


# ------------------------------------------------------------------ sidebar preferences


def _scope(company_id: uuid.UUID | None) -> str:
    return str(company_id) if company_id else "instance"


async def get_sidebar(session: AsyncSession, actor: Actor, company_id: uuid.UUID | None) -> dict[str, Any]:
    actor.require_board()
    row = await session.scalar(
        sa.select(SidebarPreference).where(
            SidebarPreference.user_id == (actor.user_id or ""), SidebarPreference.scope == _scope(company_id)
        )
    )
    if row is None:
        return {"orderedIds": [], "updatedAt": None}
    return {"orderedIds": list(row.ordered_ids), "updatedAt": iso(row.updated_at)}


async def put_sidebar(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID | None,
    ordered_ids: list[uuid.UUID],
    now: datetime,
) -> dict[str, Any]:
    actor.require_board()
    if not actor.user_id:
        raise Unprocessable("Sidebar preferences belong to a signed-in user")
    ids = list(dict.fromkeys(str(i) for i in ordered_ids))  # first occurrence wins, as the original
    stmt = insert(SidebarPreference).values(
        user_id=actor.user_id,
        scope=_scope(company_id),
        company_id=company_id,
        ordered_ids=ids,
        created_at=now,
        updated_at=now,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            constraint="sidebar_preferences_user_scope_uq",
            set_={"ordered_ids": stmt.excluded.ordered_ids, "updated_at": stmt.excluded.updated_at},
        )
    )
    if company_id is not None:
        await record(
            session,
            actor,
            company_id=company_id,
            action="sidebar_preferences.project_order_updated",
            entity_type="company",
            entity_id=company_id,
            details={"userId": actor.user_id, "orderedIds": ids},
        )
    return {"orderedIds": ids, "updatedAt": iso(now)}

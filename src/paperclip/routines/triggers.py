"""Trigger use cases: create (schedule / webhook / api), update, delete, rotate a webhook secret.

A schedule trigger's `next_run_at` is computed here (cron + IANA zone, `cron.next_run_after`) whenever
its schedule, its enabled flag or its routine's status changes; the scheduler tick only ever moves it
forward from the claimed value. A webhook trigger gets a public id and a signing secret, returned
once (`secretMaterial`) and never again."""

from __future__ import annotations

import secrets as random
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.config import Settings
from paperclip.db.models import CompanySecret, Routine, RoutineTrigger
from paperclip.errors import BadRequest, NotFound, Unprocessable
from paperclip.routines import cron, webhook_secret
from paperclip.routines import variables as variables_
from paperclip.routines.schemas import TriggerCreate, TriggerPatch, trigger_to_wire
from paperclip.routines.service import get_routine, require_manage

NOT_FOUND = "Routine trigger not found"
DEFAULT_REPLAY_WINDOW = 300


def _missing(field: str) -> BadRequest:
    return BadRequest(
        "Validation error",
        details=[
            {
                "code": "invalid_type",
                "path": [field],
                "message": "Invalid input: expected string, received undefined",
            }
        ],
    )


def webhook_url(base_url: str | None, public_id: str) -> str:
    return f"{(base_url or '').rstrip('/')}/api/routine-triggers/public/{public_id}/fire"


def _schedule_due(trigger: RoutineTrigger, routine: Routine, now: datetime) -> datetime | None:
    if trigger.kind != "schedule" or not trigger.enabled or routine.status != "active":
        return None
    return cron.next_run_after(trigger.cron_expression or "", trigger.timezone or "UTC", now)


def _check_schedule_variables(routine: Routine) -> None:
    missing = variables_.missing_defaults(list(routine.variables or []))
    if missing:
        raise Unprocessable(
            f"Scheduled routines require defaults for required variables: {', '.join(missing)}"
        )


async def reschedule_all(session: AsyncSession, routine: Routine, now: datetime) -> None:
    """After a status change: a routine that is not active has no next run; one made active again
    starts from now (the missed windows of a pause are not caught up)."""
    for trigger in await session.scalars(
        sa.select(RoutineTrigger).where(
            RoutineTrigger.routine_id == routine.id, RoutineTrigger.kind == "schedule"
        )
    ):
        trigger.next_run_at = _schedule_due(trigger, routine, now)
    await session.flush()


async def get_trigger(
    session: AsyncSession, actor: Actor, trigger_id: uuid.UUID
) -> tuple[RoutineTrigger, Routine]:
    actor.require_authenticated()
    trigger = await session.scalar(
        sa.select(RoutineTrigger).where(RoutineTrigger.id == trigger_id).with_for_update()
    )
    if trigger is None:
        raise NotFound(NOT_FOUND)
    actor.require_company(trigger.company_id)
    routine = await get_routine(session, actor, trigger.routine_id)
    require_manage(actor, routine)
    return trigger, routine


def _by(actor: Actor) -> tuple[uuid.UUID | None, str | None]:
    return actor.agent_id, actor.user_id if actor.is_board else None


async def create_trigger(
    session: AsyncSession,
    actor: Actor,
    routine_id: uuid.UUID,
    body: TriggerCreate | dict[str, Any],
    now: datetime,
    *,
    settings: Settings | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    """`{"trigger": ..., "secretMaterial": {"webhookUrl", "webhookSecret"} | None}`. `settings` is needed
    for webhook triggers only (their secret is encrypted with the instance's master key)."""
    if isinstance(body, dict):
        body = TriggerCreate.model_validate(body)
    routine = await get_routine(session, actor, routine_id)
    require_manage(actor, routine)
    agent_id, user_id = _by(actor)
    trigger = RoutineTrigger(
        id=uuid.uuid4(),
        company_id=routine.company_id,
        routine_id=routine.id,
        kind=body.kind,
        label=body.label,
        enabled=body.enabled,
        created_by_agent_id=agent_id,
        created_by_user_id=user_id,
        updated_by_agent_id=agent_id,
        updated_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    material = None
    if body.kind == "schedule":
        if body.cronExpression is None:
            raise _missing("cronExpression")
        _check_schedule_variables(routine)
        trigger.cron_expression = cron.check_cron(body.cronExpression)
        trigger.timezone = "UTC" if body.timezone is None else body.timezone
        cron.check_timezone(trigger.timezone)
        trigger.next_run_at = _schedule_due(trigger, routine, now)
    elif body.kind == "webhook":
        if settings is None:
            raise RuntimeError("create_trigger: webhook triggers need the settings (master key)")
        trigger.public_id = random.token_hex(12)
        trigger.signing_mode = body.signingMode or "bearer"
        trigger.replay_window_sec = body.replayWindowSec or DEFAULT_REPLAY_WINDOW
        value = webhook_secret.new_value()
        secret = await webhook_secret.store(
            session, settings, actor, routine.company_id, routine.id, value, now
        )
        trigger.secret_id, trigger.last_rotated_at = secret.id, now
        material = {"webhookUrl": webhook_url(base_url, trigger.public_id), "webhookSecret": value}
    session.add(trigger)
    await session.flush()
    await record(
        session,
        actor,
        company_id=routine.company_id,
        action="routine.trigger_created",
        entity_type="routine_trigger",
        entity_id=trigger.id,
        details={"routineId": str(routine.id), "kind": trigger.kind},
    )
    return {"trigger": trigger_to_wire(trigger), "secretMaterial": material}


async def update_trigger(
    session: AsyncSession, actor: Actor, trigger_id: uuid.UUID, body: TriggerPatch, now: datetime
) -> RoutineTrigger:
    trigger, routine = await get_trigger(session, actor, trigger_id)
    changed: dict[str, Any] = {}
    if body.sent("label") and body.label != trigger.label:
        changed["label"] = trigger.label = body.label
    if body.sent("enabled") and body.enabled is not None and body.enabled != trigger.enabled:
        changed["enabled"] = trigger.enabled = body.enabled
    if trigger.kind == "schedule":
        if body.sent("cronExpression") and body.cronExpression is not None:
            expression = cron.check_cron(body.cronExpression)
            if expression != trigger.cron_expression:
                changed["cronExpression"] = trigger.cron_expression = expression
        if body.sent("timezone") and body.timezone is not None and body.timezone != trigger.timezone:
            cron.check_timezone(body.timezone)
            changed["timezone"] = trigger.timezone = body.timezone
        if changed.keys() & {"enabled", "cronExpression", "timezone"}:
            if trigger.enabled:
                _check_schedule_variables(routine)
            trigger.next_run_at = _schedule_due(trigger, routine, now)
    if trigger.kind == "webhook":
        if (
            body.sent("signingMode")
            and body.signingMode is not None
            and body.signingMode != trigger.signing_mode
        ):
            changed["signingMode"] = trigger.signing_mode = body.signingMode
        if (
            body.sent("replayWindowSec")
            and body.replayWindowSec is not None
            and body.replayWindowSec != trigger.replay_window_sec
        ):
            changed["replayWindowSec"] = trigger.replay_window_sec = body.replayWindowSec
    if changed:
        trigger.updated_by_agent_id, trigger.updated_by_user_id = _by(actor)
        trigger.updated_at = now
        await session.flush()
    await record(
        session,
        actor,
        company_id=trigger.company_id,
        action="routine.trigger_updated",
        entity_type="routine_trigger",
        entity_id=trigger.id,
        details={"routineId": str(routine.id), **changed},
    )
    return trigger


async def delete_trigger(session: AsyncSession, actor: Actor, trigger_id: uuid.UUID) -> None:
    trigger, routine = await get_trigger(session, actor, trigger_id)
    await record(
        session,
        actor,
        company_id=trigger.company_id,
        action="routine.trigger_deleted",
        entity_type="routine_trigger",
        entity_id=trigger.id,
        details={"routineId": str(routine.id), "kind": trigger.kind},
    )
    secret_id = trigger.secret_id
    await session.delete(trigger)
    await session.flush()
    if secret_id is not None:  # the webhook's own secret dies with it
        await session.execute(sa.delete(CompanySecret).where(CompanySecret.id == secret_id))


async def rotate_secret(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    trigger_id: uuid.UUID,
    now: datetime,
    *,
    base_url: str | None = None,
) -> dict[str, Any]:
    trigger, routine = await get_trigger(session, actor, trigger_id)
    if trigger.kind != "webhook" or not trigger.public_id:
        raise Unprocessable("Only webhook triggers have a signing secret")
    value = webhook_secret.new_value()
    secret = await session.get(CompanySecret, trigger.secret_id) if trigger.secret_id else None
    if secret is None:
        secret = await webhook_secret.store(
            session, settings, actor, routine.company_id, routine.id, value, now
        )
        trigger.secret_id = secret.id
    else:
        await webhook_secret.rotate(session, settings, actor, secret, value, now)
    trigger.last_rotated_at = trigger.updated_at = now
    trigger.updated_by_agent_id, trigger.updated_by_user_id = _by(actor)
    await session.flush()
    await record(
        session,
        actor,
        company_id=trigger.company_id,
        action="routine.trigger_secret_rotated",
        entity_type="routine_trigger",
        entity_id=trigger.id,
        details={"routineId": str(routine.id)},
    )
    return {
        "trigger": trigger_to_wire(trigger),
        "secretMaterial": {"webhookUrl": webhook_url(base_url, trigger.public_id), "webhookSecret": value},
    }

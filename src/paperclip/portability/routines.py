"""Recurring tasks: a routine exported as `tasks/<slug>/TASK.md` with `recurring: true` plus its triggers under
`routines.<slug>` in `.paperclip.yaml` (the original's layout), and imported back through the routines
service. Webhook secrets never travel: an imported webhook trigger gets a new secret."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.config import Settings
from paperclip.db.models import Routine, RoutineTrigger
from paperclip.errors import AppError, Unprocessable
from paperclip.portability.package import TaskSpec
from paperclip.portability.yamltext import render_markdown
from paperclip.routines import cron
from paperclip.routines.schemas import RoutineCreate, TriggerCreate
from paperclip.routines.service import create_routine
from paperclip.routines.triggers import create_trigger

ROUTINE_DEFAULTS = {
    "status": "active",
    "priority": "medium",
    "concurrencyPolicy": "coalesce_if_active",
    "catchUpPolicy": "skip_missed",
}


async def export_routines(
    session: AsyncSession,
    company_id: uuid.UUID,
    files: dict[str, str],
    ext: dict[str, Any],
    taken: set[str],
    agent_slug: dict,
    project_slug: dict,
    goal_slug: dict,
) -> int:
    from paperclip.portability.exporter import slugify  # the exporter imports this module

    routines = list(
        await session.scalars(
            sa.select(Routine)
            .where(Routine.company_id == company_id, Routine.status != "archived")
            .order_by(Routine.created_at, Routine.id)
        )
    )
    if not routines:
        return 0
    triggers: dict[uuid.UUID, list[RoutineTrigger]] = {}
    for trigger in await session.scalars(
        sa.select(RoutineTrigger)
        .where(RoutineTrigger.routine_id.in_([r.id for r in routines]))
        .order_by(RoutineTrigger.created_at, RoutineTrigger.id)
    ):
        triggers.setdefault(trigger.routine_id, []).append(trigger)
    entries: dict[str, Any] = dict(ext.get("routines") or {})
    for routine in routines:
        base = slugify(routine.title, "routine")
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        files[f"tasks/{slug}/TASK.md"] = render_markdown(
            {
                k: v
                for k, v in {
                    "name": routine.title,
                    "assignee": agent_slug.get(routine.assignee_agent_id)
                    if routine.assignee_agent_id
                    else None,
                    "project": project_slug.get(routine.project_id) if routine.project_id else None,
                    "recurring": True,
                }.items()
                if v is not None
            },
            routine.description or "",
        )
        entry: dict[str, Any] = {}
        values = {
            "status": routine.status,
            "priority": routine.priority,
            "concurrencyPolicy": routine.concurrency_policy,
            "catchUpPolicy": routine.catch_up_policy,
        }
        for key, value in values.items():
            if value != ROUTINE_DEFAULTS[key]:
                entry[key] = value
        if routine.goal_id and routine.goal_id in goal_slug:
            entry["goal"] = goal_slug[routine.goal_id]
        if routine.variables:
            entry["variables"] = routine.variables
        entry["triggers"] = [_trigger(t) for t in triggers.get(routine.id, [])]
        entries[slug] = dict(sorted(entry.items()))
    ext["routines"] = dict(sorted(entries.items()))
    return len(routines)


def _trigger(t: RoutineTrigger) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": t.kind}
    if t.kind == "schedule":
        out["cronExpression"] = t.cron_expression
    if not t.enabled:
        out["enabled"] = False
    if t.label:
        out["label"] = t.label
    if t.kind == "webhook":
        out["signingMode"] = t.signing_mode
        if t.replay_window_sec and t.replay_window_sec != 300:
            out["replayWindowSec"] = t.replay_window_sec
    if t.kind == "schedule" and t.timezone:
        out["timezone"] = t.timezone
    return out


def _bad(task: TaskSpec, exc: ValidationError | AppError, where: str) -> AppError:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        fld = ".".join(str(p) for p in first.get("loc", ()))
        return Unprocessable(
            f"{task.path}: routine {where}{fld} {first.get('msg')}", {"file": task.path, "field": fld}
        )
    return Unprocessable(f"{task.path}: routine {where}{exc.message}", {"file": task.path})


def check_routine(task: TaskSpec) -> list[dict[str, Any]]:
    """The routine's triggers, validated as the routines service would (cron, time zone), naming the file."""
    spec = task.routine
    try:
        RoutineCreate.model_validate(_routine_body(task, {}, {}, {}))
    except ValidationError as exc:
        raise _bad(task, exc, "") from None
    raw = spec.get("triggers") or []
    if not isinstance(raw, list):
        raise Unprocessable(f"{task.path}: routines.{task.slug}.triggers must be a list", {"file": task.path})
    out = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict):
            raise Unprocessable(
                f"{task.path}: routines.{task.slug}.triggers[{n}] must be a mapping", {"file": task.path}
            )
        body = {
            k: item[k]
            for k in (
                "kind",
                "label",
                "enabled",
                "cronExpression",
                "timezone",
                "signingMode",
                "replayWindowSec",
            )
            if k in item
        }
        try:
            TriggerCreate.model_validate(body)
            if body.get("kind") == "schedule":
                cron.check_cron(str(body.get("cronExpression") or ""))
                cron.check_timezone(str(body.get("timezone") or "UTC"))
        except ValidationError as exc:
            raise _bad(task, exc, f"triggers[{n}].") from None
        except AppError as exc:
            raise _bad(task, exc, f"triggers[{n}] ") from None
        out.append(body)
    return out


def _routine_body(task: TaskSpec, agent_ids: dict, project_ids: dict, goal_ids: dict) -> dict[str, Any]:
    spec = task.routine
    body: dict[str, Any] = {"title": task.title, "description": task.description, "priority": task.priority}
    for key in ("status", "concurrencyPolicy", "catchUpPolicy", "variables"):
        if key in spec:
            body[key] = spec[key]
    if task.assignee and task.assignee in agent_ids:
        body["assigneeAgentId"] = str(agent_ids[task.assignee])
    if task.project and task.project in project_ids:
        body["projectId"] = str(project_ids[task.project])
    goal = spec.get("goal")
    if isinstance(goal, str) and goal in goal_ids:
        body["goalId"] = str(goal_ids[goal])
    return body


async def import_routines(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    cid: uuid.UUID,
    tasks: list[TaskSpec],
    agent_ids: dict,
    project_ids: dict,
    goal_ids: dict,
    now: datetime,
    warnings: list[str],
) -> list[dict[str, Any]]:
    results = []
    for task in tasks:
        triggers = check_routine(task)
        routine = await create_routine(
            session, actor, cid, _routine_body(task, agent_ids, project_ids, goal_ids), now
        )
        for body in triggers:
            await create_trigger(session, actor, routine.id, body, now, settings=settings)
            if body.get("kind") == "webhook":
                warnings.append(
                    f"{task.path}: webhook trigger {body.get('label') or ''} got a new secret and URL "
                    "(secrets are never exported); rotate it to read them".replace("  ", " ")
                )
        results.append(
            {
                "slug": task.slug,
                "id": str(routine.id),
                "action": "created",
                "title": routine.title,
                "status": routine.status,
            }
        )
    return results

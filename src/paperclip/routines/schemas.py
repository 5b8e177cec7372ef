"""Routine request bodies and JSON shapes (the original's field names)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from paperclip.companies.fields import Body, Description, JsonObject, ShortText, Title
from paperclip.issues.schemas import Priority
from paperclip.vocabulary import CatchUpPolicy, ConcurrencyPolicy, RoutineStatus, SigningMode, TriggerKind
from paperclip.wire import iso, uid

VariableName = Annotated[
    StrictStr, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")
]
IdempotencyKey = Annotated[StrictStr, Field(min_length=1, max_length=255)]


class VariableDefinition(Body):
    name: VariableName
    type: Literal["text", "textarea", "number", "boolean", "select"] = "text"
    label: ShortText | None = None
    options: Annotated[list[Annotated[StrictStr, Field(max_length=200)]], Field(max_length=100)] = []
    required: StrictBool = True
    defaultValue: Annotated[StrictStr, Field(max_length=10_000)] | StrictInt | StrictBool | None = None


def _no_triggers(data: Any) -> Any:
    # the original refuses an inline trigger list: triggers have their own route
    if isinstance(data, dict) and "triggers" in data:
        raise ValueError("triggers are not accepted here: create them with POST /routines/{id}/triggers")
    return data


class RoutineCreate(Body):
    title: Title
    description: Description | None = None
    assigneeAgentId: uuid.UUID | None = None
    projectId: uuid.UUID | None = None
    goalId: uuid.UUID | None = None
    parentIssueId: uuid.UUID | None = None
    priority: Priority = "medium"
    status: RoutineStatus = "active"
    concurrencyPolicy: ConcurrencyPolicy = "coalesce_if_active"
    catchUpPolicy: CatchUpPolicy = "skip_missed"
    variables: Annotated[list[VariableDefinition], Field(max_length=100)] | None = None

    _triggers = model_validator(mode="before")(_no_triggers)


class RoutinePatch(Body):
    title: Title = None  # type: ignore[assignment]
    description: Description | None = None
    assigneeAgentId: uuid.UUID | None = None
    projectId: uuid.UUID | None = None
    goalId: uuid.UUID | None = None
    parentIssueId: uuid.UUID | None = None
    priority: Priority = None  # type: ignore[assignment]
    status: RoutineStatus = None  # type: ignore[assignment]
    concurrencyPolicy: ConcurrencyPolicy = None  # type: ignore[assignment]
    catchUpPolicy: CatchUpPolicy = None  # type: ignore[assignment]
    variables: Annotated[list[VariableDefinition], Field(max_length=100)] | None = None

    _triggers = model_validator(mode="before")(_no_triggers)


ReplayWindow = Annotated[StrictInt, Field(ge=30, le=86_400)]
CronText = Annotated[StrictStr, Field(max_length=200)]
ZoneText = Annotated[StrictStr, Field(max_length=64)]


class TriggerCreate(Body):
    kind: TriggerKind
    label: ShortText | None = None
    enabled: StrictBool = True
    cronExpression: CronText | None = None
    timezone: ZoneText | None = None
    signingMode: SigningMode | None = None
    replayWindowSec: ReplayWindow | None = None


class TriggerPatch(Body):
    label: ShortText | None = None
    enabled: StrictBool = None  # type: ignore[assignment]
    cronExpression: CronText = None  # type: ignore[assignment]
    timezone: ZoneText = None  # type: ignore[assignment]
    signingMode: SigningMode = None  # type: ignore[assignment]
    replayWindowSec: ReplayWindow = None  # type: ignore[assignment]


class RunRequest(Body):
    source: Literal["manual", "api"] = "manual"
    triggerId: uuid.UUID | None = None
    payload: JsonObject | None = None
    variables: JsonObject | None = None
    idempotencyKey: IdempotencyKey | None = None


# ---------------------------------------------------------------- JSON shapes


def routine_to_wire(r: Any) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "companyId": str(r.company_id),
        "projectId": uid(r.project_id),
        "goalId": uid(r.goal_id),
        "parentIssueId": uid(r.parent_issue_id),
        "title": r.title,
        "description": r.description,
        "assigneeAgentId": uid(r.assignee_agent_id),
        "priority": r.priority,
        "status": r.status,
        "concurrencyPolicy": r.concurrency_policy,
        "catchUpPolicy": r.catch_up_policy,
        "originKind": r.origin_kind,
        "originId": r.origin_id,
        "variables": list(r.variables or []),
        "createdByAgentId": uid(r.created_by_agent_id),
        "createdByUserId": r.created_by_user_id,
        "updatedByAgentId": uid(r.updated_by_agent_id),
        "updatedByUserId": r.updated_by_user_id,
        "lastTriggeredAt": iso(r.last_triggered_at),
        "lastEnqueuedAt": iso(r.last_enqueued_at),
        "createdAt": iso(r.created_at),
        "updatedAt": iso(r.updated_at),
    }


def trigger_to_wire(t: Any) -> dict[str, Any]:
    return {
        "id": str(t.id),
        "companyId": str(t.company_id),
        "routineId": str(t.routine_id),
        "kind": t.kind,
        "label": t.label,
        "enabled": t.enabled,
        "cronExpression": t.cron_expression,
        "timezone": t.timezone,
        "nextRunAt": iso(t.next_run_at),
        "lastFiredAt": iso(t.last_fired_at),
        "publicId": t.public_id,
        "secretId": uid(t.secret_id),
        "signingMode": t.signing_mode,
        "replayWindowSec": t.replay_window_sec,
        "lastRotatedAt": iso(t.last_rotated_at),
        "lastResult": t.last_result,
        "createdByAgentId": uid(t.created_by_agent_id),
        "createdByUserId": t.created_by_user_id,
        "updatedByAgentId": uid(t.updated_by_agent_id),
        "updatedByUserId": t.updated_by_user_id,
        "createdAt": iso(t.created_at),
        "updatedAt": iso(t.updated_at),
    }


def trigger_summary(t: Any) -> dict[str, Any]:
    """A trigger inside a routine list entry."""
    return {
        "id": str(t.id),
        "kind": t.kind,
        "label": t.label,
        "enabled": t.enabled,
        "cronExpression": t.cron_expression,
        "timezone": t.timezone,
        "nextRunAt": iso(t.next_run_at),
        "lastFiredAt": iso(t.last_fired_at),
        "lastResult": t.last_result,
    }


def run_to_wire(r: Any) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "companyId": str(r.company_id),
        "routineId": str(r.routine_id),
        "triggerId": uid(r.trigger_id),
        "source": r.source,
        "status": r.status,
        "triggeredAt": iso(r.triggered_at),
        "idempotencyKey": r.idempotency_key,
        "triggerPayload": r.trigger_payload,
        "dispatchFingerprint": r.dispatch_fingerprint,
        "linkedIssueId": uid(r.linked_issue_id),
        "coalescedIntoRunId": uid(r.coalesced_into_run_id),
        "failureReason": r.failure_reason,
        "completedAt": iso(r.completed_at),
        "createdAt": iso(r.created_at),
        "updatedAt": iso(r.updated_at),
    }


def issue_summary(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": str(row.id),
        "identifier": row.identifier,
        "title": row.title,
        "status": row.status,
        "priority": row.priority,
        "updatedAt": iso(row.updated_at),
    }

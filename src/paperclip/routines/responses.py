"""Answers of the routine routes, for the OpenAPI document (paperclip.api.responses): the shapes of
routines/schemas.py's *_to_wire and of the list/detail views in routines/service.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.vocabulary import (
    CatchUpPolicy,
    ConcurrencyPolicy,
    RoutineRunSource,
    RoutineRunStatus,
    RoutineStatus,
    SigningMode,
    TriggerKind,
)


class Routine(Wire):
    id: UUID
    companyId: UUID
    projectId: UUID | None
    goalId: UUID | None
    parentIssueId: UUID | None
    title: str
    description: str | None
    assigneeAgentId: UUID | None
    priority: str
    status: RoutineStatus
    concurrencyPolicy: ConcurrencyPolicy
    catchUpPolicy: CatchUpPolicy
    originKind: str | None
    originId: str | None
    variables: list[dict[str, Any]]
    createdByAgentId: UUID | None
    createdByUserId: str | None
    updatedByAgentId: UUID | None
    updatedByUserId: str | None
    lastTriggeredAt: datetime | None
    lastEnqueuedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class Trigger(Wire):
    id: UUID
    companyId: UUID
    routineId: UUID
    kind: TriggerKind
    label: str | None
    enabled: bool
    cronExpression: str | None
    timezone: str | None
    nextRunAt: datetime | None
    lastFiredAt: datetime | None
    publicId: str | None
    secretId: UUID | None
    signingMode: SigningMode | None
    replayWindowSec: int | None
    lastRotatedAt: datetime | None
    lastResult: str | None
    createdByAgentId: UUID | None
    createdByUserId: str | None
    updatedByAgentId: UUID | None
    updatedByUserId: str | None
    createdAt: datetime
    updatedAt: datetime


class TriggerSummary(Wire):
    id: UUID
    kind: TriggerKind
    label: str | None
    enabled: bool
    cronExpression: str | None
    timezone: str | None
    nextRunAt: datetime | None
    lastFiredAt: datetime | None
    lastResult: str | None


class RoutineRun(Wire):
    id: UUID
    companyId: UUID
    routineId: UUID
    triggerId: UUID | None
    source: RoutineRunSource
    status: RoutineRunStatus
    triggeredAt: datetime
    idempotencyKey: str | None
    triggerPayload: dict[str, Any] | None
    dispatchFingerprint: str | None
    linkedIssueId: UUID | None
    coalescedIntoRunId: UUID | None
    failureReason: str | None
    completedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class RoutineIssue(Wire):
    id: UUID
    identifier: str | None
    title: str
    status: str
    priority: str
    updatedAt: datetime


class RunTrigger(Wire):
    id: UUID
    kind: TriggerKind
    label: str | None


class RoutineRunEntry(RoutineRun):
    linkedIssue: RoutineIssue | None
    trigger: RunTrigger | None


class RoutineListEntry(Routine):
    triggers: list[TriggerSummary]
    lastRun: RoutineRun | None
    activeIssue: RoutineIssue | None


class ProjectRef(Wire):
    id: UUID
    name: str


class AgentRef(Wire):
    id: UUID
    name: str
    role: str
    title: str | None


class RoutineDetail(Routine):
    project: ProjectRef | None
    assignee: AgentRef | None
    parentIssue: RoutineIssue | None
    triggers: list[Trigger]
    recentRuns: list[RoutineRunEntry]
    activeIssue: RoutineIssue | None


class SecretMaterial(Wire):
    webhookUrl: str
    webhookSecret: str | None  # shown once; None for signing mode "none"


class TriggerWithSecret(Wire):
    trigger: Trigger
    secretMaterial: SecretMaterial | None  # webhook triggers only

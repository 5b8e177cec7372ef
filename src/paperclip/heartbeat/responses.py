"""Answers of the heartbeat routes, for the OpenAPI document (paperclip.api.responses): the shapes of
heartbeat/shapes.py (runs, run events, skipped wake-ups), sessions.py, live_runs.py and service.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import ConfigDict

from paperclip.api.responses import Wire
from paperclip.vocabulary import AgentStatus, RunStatus


class Run(Wire):
    id: UUID
    companyId: UUID
    agentId: UUID
    invocationSource: str
    triggerDetail: str | None
    status: RunStatus
    startedAt: datetime | None
    finishedAt: datetime | None
    error: str | None
    wakeupRequestId: UUID | None
    exitCode: int | None
    signal: str | None
    usageJson: dict[str, Any] | None
    resultJson: dict[str, Any] | None
    sessionIdBefore: str | None
    sessionIdAfter: str | None
    logStore: str | None
    logRef: str | None
    logBytes: int | None
    logSha256: str | None
    logCompressed: bool
    stdoutExcerpt: str | None
    stderrExcerpt: str | None
    errorCode: str | None
    externalRunId: str | None
    runnerInstanceId: str | None
    processPid: int | None
    processGroupId: int | None
    processStartedAt: datetime | None
    retryOfRunId: UUID | None
    processLossRetryCount: int
    contextSnapshot: dict[str, Any]
    createdAt: datetime
    updatedAt: datetime


class WakeSkipped(Wire):
    status: str  # "skipped"
    reason: str | None = None  # absent from /heartbeat/invoke's answer
    message: str | None = None
    issueId: str | None = None
    executionRunId: str | None = None
    executionAgentId: str | None = None
    executionAgentName: str | None = None


class WakeDeferred(Wire):
    """The issue is being executed by another run: the wake-up waits for it (details of the lock)."""

    model_config = ConfigDict(extra="allow")
    status: str  # "deferred_issue_execution"
    wakeupRequestId: UUID


class RunEvent(Wire):
    id: int
    companyId: UUID
    runId: UUID
    agentId: UUID
    seq: int
    eventType: str
    stream: str | None
    level: str | None
    color: str | None
    message: str | None
    payload: dict[str, Any] | None
    createdAt: datetime


class RunLog(Wire):
    runId: UUID
    store: str
    logRef: str | None
    content: str
    nextOffset: int | None = None  # present when more of the log follows


class RunIssue(Wire):
    issueId: UUID
    identifier: str | None
    title: str
    status: str
    priority: str


class IssueRun(Wire):
    runId: UUID
    status: RunStatus
    agentId: UUID
    adapterType: str
    startedAt: datetime | None
    finishedAt: datetime | None
    createdAt: datetime
    invocationSource: str
    errorCode: str | None
    usageJson: dict[str, Any] | None
    resultJson: dict[str, Any] | None
    logBytes: int | None
    retryOfRunId: UUID | None
    wakeCommentIds: Any
    wakeCommentId: Any
    contextCommentId: Any
    contextIssueId: Any


class LiveRun(Wire):
    id: UUID
    companyId: UUID
    status: RunStatus
    invocationSource: str
    triggerDetail: str | None
    contextCommentId: Any
    contextWakeCommentId: Any
    startedAt: datetime | None
    finishedAt: datetime | None
    createdAt: datetime
    agentId: UUID
    agentName: str
    adapterType: str
    logBytes: int | None
    processStartedAt: datetime | None  # when the run's process started
    issueId: Any
    runtimeMode: str  # the original's fields this server has no data for: defaults and nulls
    livenessState: str | None
    livenessReason: str | None
    continuationAttempt: int
    lastUsefulActionAt: datetime | None
    nextAction: str | None
    lastOutputAt: datetime | None
    lastOutputSeq: int  # 0 before any output
    lastOutputStream: str | None
    lastOutputBytes: int | None
    currentStatusMessage: str | None
    currentStatusUpdatedAt: datetime | None
    currentToolName: str | None
    lastAssistantSnippet: str | None
    lastEventAt: datetime | None


class RuntimeState(Wire):
    agentId: UUID
    companyId: UUID
    adapterType: str | None
    sessionId: str | None
    stateJson: dict[str, Any]
    lastRunId: UUID | None
    lastRunStatus: str | None
    totalInputTokens: int
    totalOutputTokens: int
    totalCachedInputTokens: int
    totalCostCents: int
    lastError: str | None
    createdAt: datetime | None  # null before the agent's first run
    updatedAt: datetime | None
    sessionDisplayId: str | None
    sessionParamsJson: dict[str, Any] | None


class TaskSession(Wire):
    id: UUID
    companyId: UUID
    agentId: UUID
    adapterType: str
    taskKey: str
    sessionParamsJson: dict[str, Any] | None
    sessionDisplayId: str | None
    lastRunId: UUID | None
    lastError: str | None
    createdAt: datetime
    updatedAt: datetime


class SchedulerAgent(Wire):
    id: UUID
    companyId: UUID
    companyName: str
    companyIssuePrefix: str
    agentName: str
    agentUrlKey: str
    role: str
    title: str | None
    status: AgentStatus
    adapterType: str
    intervalSec: int
    heartbeatEnabled: bool
    schedulerActive: bool
    lastHeartbeatAt: datetime | None


class SchedulerReplica(Wire):
    replicaId: str
    hostname: str | None
    pid: int | None
    startedAt: datetime
    lastTickAt: datetime | None
    lastTickDurationMs: int | None
    lastError: str | None
    ticks: int

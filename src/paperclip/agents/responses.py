"""Answers of the agent routes, for the OpenAPI document (paperclip.api.responses): the shapes of
agent_to_wire, configuration_to_wire, key_to_wire and revision_to_wire in agents/schemas.py, and of
the instructions bundle (agents/instructions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.approvals.responses import Approval
from paperclip.vocabulary import AgentStatus, PauseReason


class Agent(Wire):
    id: UUID
    companyId: UUID
    name: str
    urlKey: str
    role: str
    title: str | None
    icon: str | None
    status: AgentStatus
    reportsTo: UUID | None
    capabilities: str | None
    adapterType: str
    adapterConfig: dict[str, Any]  # secret-looking values redacted, every env value hidden
    runtimeConfig: dict[str, Any]
    budgetMonthlyCents: int
    spentMonthlyCents: int
    pauseReason: PauseReason | None
    pausedAt: datetime | None
    permissions: dict[str, Any]
    lastHeartbeatAt: datetime | None
    metadata: dict[str, Any] | None
    createdAt: datetime
    updatedAt: datetime


class ChainLink(Wire):
    id: UUID
    name: str
    role: str
    title: str | None


class AgentDetail(Agent):
    chainOfCommand: list[ChainLink]  # the managers above, nearest first


class AgentConfiguration(Wire):
    id: UUID
    companyId: UUID
    name: str
    role: str
    title: str | None
    status: AgentStatus
    reportsTo: UUID | None
    adapterType: str
    adapterConfig: dict[str, Any]
    runtimeConfig: dict[str, Any]
    permissions: dict[str, Any]
    updatedAt: datetime


class AgentKey(Wire):
    id: UUID
    name: str
    lastUsedAt: datetime | None
    revokedAt: datetime | None
    createdAt: datetime


class AgentKeyCreated(Wire):
    id: UUID
    name: str
    token: str  # shown once
    createdAt: datetime


class ConfigRevision(Wire):
    id: UUID
    companyId: UUID
    agentId: UUID
    createdByAgentId: UUID | None
    createdByUserId: str | None
    source: str
    rolledBackFromRevisionId: UUID | None
    changedKeys: list[str]
    beforeConfig: dict[str, Any]
    afterConfig: dict[str, Any]
    createdAt: datetime


class Hire(Wire):
    agent: Agent
    approval: Approval | None  # None when the company does not require board approval for new agents


class InstructionsFile(Wire):
    """A file of an agent's instructions bundle (agents/instructions.py)."""

    path: str  # relative to the bundle root
    size: int  # bytes
    language: str
    markdown: bool
    isEntryFile: bool
    editable: bool
    deprecated: bool  # the legacy promptTemplate, shown as a virtual file
    virtual: bool


class InstructionsFileContent(InstructionsFile):
    content: str


class InstructionsBundle(Wire):
    agentId: UUID
    companyId: UUID
    mode: Literal["managed", "external"] | None  # None: no bundle yet
    rootPath: str | None
    managedRootPath: str  # where a managed bundle lives (or would)
    entryFile: str
    resolvedEntryPath: str | None
    editable: bool
    warnings: list[str]
    legacyPromptTemplateActive: bool
    legacyBootstrapPromptTemplateActive: bool
    files: list[InstructionsFile]


class ClaudeLogin(Wire):
    """What `<command> login` printed (secrets masked) and the login URL found in it."""

    exitCode: int | None
    signal: str | None
    timedOut: bool
    stdout: str
    stderr: str
    loginUrl: str | None

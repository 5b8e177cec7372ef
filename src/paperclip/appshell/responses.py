"""Answers of the app-shell routes the original's web app reads, for the OpenAPI document
(paperclip.api.responses): the shapes of appshell/service.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paperclip.api.responses import Wire


class AdapterCapabilities(Wire):
    supportsInstructionsBundle: bool
    supportsSkills: bool
    supportsLocalAgentJwt: bool
    requiresMaterializedRuntimeSkills: bool
    supportsAcp: bool


class AdapterInfo(Wire):
    type: str
    label: str
    source: str  # builtin or plugin
    modelsCount: int
    loaded: bool
    disabled: bool
    capabilities: AdapterCapabilities
    overridePaused: bool


class BackupRetention(Wire):
    dailyDays: int
    weeklyWeeks: int
    monthlyMonths: int


class GeneralSettings(Wire):
    censorUsernameInLogs: bool
    keyboardShortcuts: bool
    feedbackDataSharingPreference: str
    backupRetention: BackupRetention


class InstanceSettings(Wire):
    general: GeneralSettings
    experimental: dict[str, Any]  # feature flags (booleans, and the worktree activation's facts)


class SidebarPreferences(Wire):
    orderedIds: list[str]
    updatedAt: datetime | None


class ResourceMemberships(Wire):
    projectMemberships: dict[str, Any]
    agentMemberships: dict[str, Any]
    starredProjectIds: list[str]
    starredAgentIds: list[str]
    starredDocumentIds: list[str]
    projectStarredAt: dict[str, Any]
    agentStarredAt: dict[str, Any]
    documentStarredAt: dict[str, Any]
    updatedAt: datetime | None


class SidebarBadges(Wire):
    inbox: int
    approvals: int
    failedRuns: int
    joinRequests: int


class DirectoryUser(Wire):
    id: str
    email: str | None
    name: str | None
    image: str | None


class DirectoryEntry(Wire):
    principalId: str
    status: str
    user: DirectoryUser


class UserDirectory(Wire):
    users: list[DirectoryEntry]


class Folders(Wire):
    kind: str
    folders: list[Any]
    allCount: int
    unfiledCount: int


class AgentSkills(Wire):
    adapterType: str
    supported: bool
    mode: str
    desiredSkills: list[str]
    desiredSkillEntries: list[Any]
    entries: list[Any]
    warnings: list[str]


class InstanceSettingsRecord(Wire):
    id: str
    defaultEnvironmentId: str | None
    general: dict[str, Any]  # GeneralSettings' keys with the stored values merged over the defaults
    experimental: dict[str, Any]
    createdAt: datetime | None
    updatedAt: datetime | None


class ToolDecisions(Wire):
    runId: str
    decisions: list[Any]

"""Answers of the export/import routes, for the OpenAPI document (paperclip.api.responses): the
shapes of portability/exporter.export_company, importer.Plan.wire and importer's apply result."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from paperclip.api.responses import Wire


class ExportSource(Wire):
    companyId: UUID
    companyName: str


class ExportCounts(Wire):
    agents: int
    projects: int
    issues: int
    skills: int


class ExportManifest(Wire):
    schemaVersion: int
    generatedAt: datetime
    source: ExportSource
    includes: dict[str, bool]
    counts: ExportCounts


class Export(Wire):
    rootPath: str
    files: dict[str, str]  # path in the package -> text
    warnings: list[str]
    paperclipExtensionPath: str
    manifest: ExportManifest


class InventoryEntry(Wire):
    path: str
    kind: str


class ExportPreview(Export):
    fileInventory: list[InventoryEntry]
    counts: dict[str, int]


class EnvInput(Wire):
    key: str
    description: str | None
    agentSlug: str | None
    projectSlug: str | None
    kind: str
    requirement: str
    defaultValue: Any
    portability: str


class ImportPlanSteps(Wire):
    companyAction: str
    agentPlans: list[dict[str, Any]]
    projectPlans: list[dict[str, Any]]
    issuePlans: list[dict[str, Any]]


class ImportCounts(Wire):
    agents: int
    projects: int
    issues: int
    goals: int
    skills: int


class ImportManifest(Wire):
    schemaVersion: int | None
    company: dict[str, Any]  # COMPANY.md's front matter and its path
    counts: ImportCounts


class ImportPlan(Wire):
    include: dict[str, bool]
    targetCompanyId: UUID | None
    targetCompanyName: str | None
    collisionStrategy: str
    selectedAgentSlugs: list[str]
    plan: ImportPlanSteps
    manifest: ImportManifest
    envInputs: list[EnvInput]
    warnings: list[str]
    errors: list[str]


class ImportedCompany(Wire):
    id: UUID
    name: str
    action: str  # created, updated, unchanged


class ImportResult(Wire):
    company: ImportedCompany
    agents: list[dict[str, Any]]
    skills: list[Any]
    projects: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    routines: list[dict[str, Any]]
    envInputs: list[EnvInput]
    warnings: list[str]

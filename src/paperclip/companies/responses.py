"""Answers of the company routes, for the OpenAPI document (paperclip.api.responses): the shapes of
companies/schemas.company_to_wire and companies/org.org_tree."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.vocabulary import AgentStatus, CompanyStatus, PauseReason


class Company(Wire):
    id: UUID
    name: str
    description: str | None
    status: CompanyStatus
    pauseReason: PauseReason | None
    pausedAt: datetime | None
    issuePrefix: str
    issueCounter: int
    budgetMonthlyCents: int
    spentMonthlyCents: int
    attachmentMaxBytes: int
    requireBoardApprovalForNewAgents: bool
    brandColor: str | None
    logoAssetId: UUID | None
    logoUrl: str | None
    createdAt: datetime
    updatedAt: datetime


class CompanyCounts(Wire):
    agentCount: int
    issueCount: int


class OrgNode(Wire):
    id: UUID
    name: str
    role: str
    title: str | None
    status: AgentStatus
    reports: list[OrgNode]  # direct reports, the same shape all the way down

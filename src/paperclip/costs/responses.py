"""Answers of the cost, budget and finance routes, for the OpenAPI document
(paperclip.api.responses): the shapes of costs/schemas.cost_event_to_wire, budget_overview.py's
policy/incident wires, reports.py and finance.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from paperclip.api.responses import Wire
from paperclip.vocabulary import IncidentStatus


class CostEvent(Wire):
    id: UUID
    companyId: UUID
    agentId: UUID
    issueId: UUID | None
    projectId: UUID | None
    goalId: UUID | None
    heartbeatRunId: UUID | None
    billingCode: str | None
    provider: str
    biller: str
    billingType: str
    costStatus: str
    model: str
    inputTokens: int
    cachedInputTokens: int
    outputTokens: int
    costCents: int
    occurredAt: datetime
    createdAt: datetime


class CostSummary(Wire):
    companyId: UUID
    spendCents: int
    budgetCents: int
    utilizationPercent: float


class Sums(Wire):
    costCents: int
    inputTokens: int
    cachedInputTokens: int
    outputTokens: int


class SplitSums(Sums):
    """Sums split by API-billed and subscription-billed usage."""

    apiRunCount: int
    subscriptionRunCount: int
    subscriptionCachedInputTokens: int
    subscriptionInputTokens: int
    subscriptionOutputTokens: int


class CostByAgent(SplitSums):
    agentId: UUID
    agentName: str
    agentStatus: str


class CostByAgentModel(Sums):
    agentId: UUID
    agentName: str
    provider: str
    biller: str
    billingType: str
    model: str


class CostByProvider(SplitSums):
    provider: str
    biller: str
    billingType: str
    model: str


class CostByProject(Sums):
    projectId: UUID | None
    projectName: str | None


class CostByBiller(SplitSums):
    biller: str
    providerCount: int
    modelCount: int


class WindowSpend(Sums):
    provider: str
    biller: str
    window: str  # "5h", "24h", "7d"
    windowHours: int


class IssueCostSummary(Wire):
    issueId: UUID
    issueCount: int  # the issue and its descendants
    includeDescendants: bool
    costCents: int
    inputTokens: int
    cachedInputTokens: int
    outputTokens: int
    runCount: int
    runtimeMs: int


class BudgetPolicy(Wire):
    policyId: UUID
    companyId: UUID
    scopeType: str
    scopeId: UUID
    scopeName: str
    metric: str
    windowKind: str
    amount: int
    observedAmount: int
    remainingAmount: int
    utilizationPercent: float
    warnPercent: int
    hardStopEnabled: bool
    notifyEnabled: bool
    isActive: bool
    status: str  # ok, warning, hard_stop
    paused: bool
    pauseReason: str | None
    windowStart: datetime
    windowEnd: datetime


class BudgetIncident(Wire):
    id: UUID
    companyId: UUID
    policyId: UUID
    scopeType: str
    scopeId: UUID
    scopeName: str
    metric: str
    windowKind: str
    windowStart: datetime
    windowEnd: datetime
    thresholdType: str
    amountLimit: int
    amountObserved: int
    status: IncidentStatus
    approvalId: UUID | None
    approvalStatus: str | None
    resolvedAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class BudgetOverview(Wire):
    companyId: UUID
    policies: list[BudgetPolicy]
    activeIncidents: list[BudgetIncident]
    pausedAgentCount: int
    pausedProjectCount: int
    pendingApprovalCount: int


class FinanceEvent(Wire):
    id: UUID
    companyId: UUID
    agentId: UUID | None
    issueId: UUID | None
    projectId: UUID | None
    goalId: UUID | None
    heartbeatRunId: UUID | None
    costEventId: UUID | None
    billingCode: str | None
    description: str | None
    eventKind: str
    direction: str
    biller: str
    provider: str | None
    executionAdapterType: str | None
    pricingTier: str | None
    region: str | None
    model: str | None
    quantity: float | None
    unit: str | None
    amountCents: int
    currency: str
    estimated: bool
    externalInvoiceId: str | None
    metadataJson: dict[str, Any] | None
    occurredAt: datetime
    createdAt: datetime


class FinanceSums(Wire):
    debitCents: int
    creditCents: int
    estimatedDebitCents: int
    eventCount: int
    netCents: int


class FinanceSummary(FinanceSums):
    companyId: UUID


class FinanceByBiller(FinanceSums):
    biller: str
    kindCount: int


class FinanceByKind(FinanceSums):
    eventKind: str
    billerCount: int

"""GET /companies/{id}/dashboard's answer (JSON built by dashboard/service.py), for the OpenAPI
document (paperclip.api.responses)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from paperclip.activity.responses import ActivityEntry
from paperclip.api.responses import Wire


class AgentCounts(Wire):
    active: int
    running: int
    paused: int
    error: int


class TaskCounts(Wire):
    open: int
    inProgress: int
    blocked: int
    done: int


class MonthCosts(Wire):
    monthSpendCents: int
    monthBudgetCents: int
    monthUtilizationPercent: float


class BudgetCounts(Wire):
    activeIncidents: int
    pendingApprovals: int
    pausedAgents: int
    pausedProjects: int


class RunDay(Wire):
    date: date
    succeeded: int
    failed: int
    recovered: int
    other: int
    total: int
    failedByErrorCode: dict[str, int]


class Dashboard(Wire):
    companyId: UUID
    agents: AgentCounts
    tasks: TaskCounts
    costs: MonthCosts
    pendingApprovals: int
    budgets: BudgetCounts
    runActivity: list[RunDay]  # the last 14 days
    recentActivity: list[ActivityEntry]

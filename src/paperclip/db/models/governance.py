"""Approvals, costs, budgets and the activity log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import (
    boolean,
    created_at,
    fk,
    integer,
    jsonb,
    text,
    ts,
    updated_at,
    uuid_pk,
)


class Approval(Base):
    __tablename__ = "approvals"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    type: Mapped[str] = text(nullable=False)
    requested_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    requested_by_user_id: Mapped[str | None] = text()
    status: Mapped[str] = text("pending")
    payload: Mapped[dict[str, Any]] = jsonb()
    decision_note: Mapped[str | None] = text()
    decided_by_user_id: Mapped[str | None] = text()
    decided_at: Mapped[datetime | None] = ts()
    idempotency_key: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index("approvals_company_status_type_idx", "company_id", "status", "type"),
        sa.Index(
            "approvals_idempotency_idx",
            "company_id",
            "idempotency_key",
            unique=True,
            postgresql_where=sa.text("idempotency_key IS NOT NULL"),
        ),
    )


class ApprovalComment(Base):
    __tablename__ = "approval_comments"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    approval_id: Mapped[uuid.UUID] = fk("approvals.id", nullable=False, index=True)
    author_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    author_user_id: Mapped[str | None] = text()
    body: Mapped[str] = text(nullable=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class CostEvent(Base):
    __tablename__ = "cost_events"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    agent_id: Mapped[uuid.UUID] = fk("agents.id", nullable=False)
    issue_id: Mapped[uuid.UUID | None] = fk("issues.id", ondelete="SET NULL")
    project_id: Mapped[uuid.UUID | None] = fk("projects.id", ondelete="SET NULL")
    goal_id: Mapped[uuid.UUID | None] = fk("goals.id", ondelete="SET NULL")
    heartbeat_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    billing_code: Mapped[str | None] = text()
    provider: Mapped[str] = text(nullable=False)
    biller: Mapped[str] = text("unknown")
    billing_type: Mapped[str] = text("unknown")
    model: Mapped[str] = text(nullable=False)
    input_tokens: Mapped[int] = integer(0)
    cached_input_tokens: Mapped[int] = integer(0)
    output_tokens: Mapped[int] = integer(0)
    cost_cents: Mapped[int] = integer(0)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (
        sa.Index("cost_events_company_occurred_idx", "company_id", "occurred_at"),
        sa.Index("cost_events_company_agent_occurred_idx", "company_id", "agent_id", "occurred_at"),
        sa.Index("cost_events_run_idx", "heartbeat_run_id"),
    )


class BudgetPolicy(Base):
    __tablename__ = "budget_policies"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    scope_type: Mapped[str] = text(nullable=False)
    scope_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    metric: Mapped[str] = text("billed_cents")
    window_kind: Mapped[str] = text("calendar_month_utc")
    amount: Mapped[int] = integer(0)
    warn_percent: Mapped[int] = integer(80)
    hard_stop_enabled: Mapped[bool] = boolean(True)
    notify_enabled: Mapped[bool] = boolean(True)
    is_active: Mapped[bool] = boolean(True)
    created_by_user_id: Mapped[str | None] = text()
    updated_by_user_id: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.UniqueConstraint("company_id", "scope_type", "scope_id", "metric", "window_kind"),)


class BudgetIncident(Base):
    __tablename__ = "budget_incidents"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    policy_id: Mapped[uuid.UUID] = fk("budget_policies.id", nullable=False)
    scope_type: Mapped[str] = text(nullable=False)
    scope_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    threshold_type: Mapped[str] = text(nullable=False)
    amount_limit: Mapped[int] = integer(0)
    amount_observed: Mapped[int] = integer(0)
    window_start: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    status: Mapped[str] = text("open")
    approval_id: Mapped[uuid.UUID | None] = fk("approvals.id", ondelete="SET NULL")
    resolved_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index(
            "budget_incidents_once_per_window_idx",
            "policy_id",
            "window_start",
            "threshold_type",
            unique=True,
            postgresql_where=sa.text("status <> 'dismissed'"),
        ),
    )


class ActivityLog(Base):
    __tablename__ = "activity_log"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    actor_type: Mapped[str] = text("system")
    actor_id: Mapped[str] = text("system")
    action: Mapped[str] = text(nullable=False)
    entity_type: Mapped[str] = text(nullable=False)
    entity_id: Mapped[str] = text(nullable=False)
    agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL", index=True)
    details: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    # clock_timestamp, not now(): entries written in one transaction keep their order.
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.text("clock_timestamp()")
    )

    __table_args__ = (
        sa.Index("activity_log_company_created_idx", "company_id", "created_at"),
        sa.Index("activity_log_entity_idx", "entity_type", "entity_id"),
    )

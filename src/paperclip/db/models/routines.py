"""Routines, their triggers and their runs (core §2.17), plus the issues index that keeps one open
routine-execution issue per routine and dispatch fingerprint (core §2.6)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import boolean, created_at, fk, text, ts, updated_at, uuid_pk
from paperclip.db.models.work import Issue
from paperclip.vocabulary import ISSUE_OPEN, sql_in


class Routine(Base):
    __tablename__ = "routines"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    project_id: Mapped[uuid.UUID | None] = fk("projects.id")
    goal_id: Mapped[uuid.UUID | None] = fk("goals.id", ondelete="SET NULL")
    parent_issue_id: Mapped[uuid.UUID | None] = fk("issues.id", ondelete="SET NULL")
    title: Mapped[str] = text(nullable=False)
    description: Mapped[str | None] = text()
    assignee_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    priority: Mapped[str] = text("medium")
    status: Mapped[str] = text("active")
    concurrency_policy: Mapped[str] = text("coalesce_if_active")
    catch_up_policy: Mapped[str] = text("skip_missed")
    variables: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
    )
    origin_kind: Mapped[str] = text("manual")
    origin_id: Mapped[str | None] = text()
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    updated_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    updated_by_user_id: Mapped[str | None] = text()
    last_triggered_at: Mapped[datetime | None] = ts()
    last_enqueued_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __mapper_args__ = {"eager_defaults": True}  # updated_at comes back in the UPDATE's RETURNING
    __table_args__ = (
        sa.Index("routines_company_status_idx", "company_id", "status"),
        sa.Index("routines_company_assignee_idx", "company_id", "assignee_agent_id"),
        sa.Index("routines_company_project_idx", "company_id", "project_id"),
        sa.Index("routines_company_origin_idx", "company_id", "origin_kind", "origin_id"),
    )


class RoutineTrigger(Base):
    __tablename__ = "routine_triggers"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    routine_id: Mapped[uuid.UUID] = fk("routines.id", nullable=False)
    kind: Mapped[str] = text(nullable=False)
    label: Mapped[str | None] = text()
    enabled: Mapped[bool] = boolean(True)
    cron_expression: Mapped[str | None] = text()
    timezone: Mapped[str | None] = text()
    next_run_at: Mapped[datetime | None] = ts()
    last_fired_at: Mapped[datetime | None] = ts()
    public_id: Mapped[str | None] = text()
    secret_id: Mapped[uuid.UUID | None] = fk("company_secrets.id", ondelete="SET NULL")
    signing_mode: Mapped[str | None] = text()
    replay_window_sec: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_rotated_at: Mapped[datetime | None] = ts()
    last_result: Mapped[str | None] = text()
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    updated_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    updated_by_user_id: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        sa.Index("routine_triggers_company_routine_idx", "company_id", "routine_id"),
        sa.Index("routine_triggers_company_kind_idx", "company_id", "kind"),
        sa.Index("routine_triggers_public_id_uq", "public_id", unique=True),
        # the scheduler's claim: enabled schedule triggers by due time, nothing else in the index
        sa.Index(
            "routine_triggers_due_idx",
            "next_run_at",
            postgresql_where=sa.text("kind = 'schedule' AND enabled AND next_run_at IS NOT NULL"),
        ),
    )


class RoutineRun(Base):
    __tablename__ = "routine_runs"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    routine_id: Mapped[uuid.UUID] = fk("routines.id", nullable=False)
    trigger_id: Mapped[uuid.UUID | None] = fk("routine_triggers.id", ondelete="SET NULL")
    source: Mapped[str] = text(nullable=False)
    status: Mapped[str] = text("received")
    triggered_at: Mapped[datetime] = created_at()
    idempotency_key: Mapped[str | None] = text()
    trigger_payload: Mapped[Any] = mapped_column(JSONB, nullable=True)
    dispatch_fingerprint: Mapped[str | None] = text()
    linked_issue_id: Mapped[uuid.UUID | None] = fk("issues.id", ondelete="SET NULL")
    coalesced_into_run_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    failure_reason: Mapped[str | None] = text()
    completed_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        sa.Index("routine_runs_company_routine_idx", "company_id", "routine_id", "created_at"),
        sa.Index("routine_runs_trigger_idx", "trigger_id", "created_at"),
        sa.Index("routine_runs_linked_issue_idx", "linked_issue_id"),
        # same routine + same idempotency key = same run (api and webhook replays); NULL keys never collide
        sa.Index(
            "routine_runs_routine_idempotency_uq",
            "routine_id",
            "idempotency_key",
            unique=True,
            postgresql_where=sa.text("idempotency_key IS NOT NULL"),
        ),
    )


# At most one open routine-execution issue per routine and dispatch fingerprint (core §2.6): two
# replicas (or a tick and an API call) firing a coalescing routine at once cannot both create one.
# `always_enqueue` issues carry their run's id as fingerprint, so they never collide.
_ISSUES = Issue.__table__
sa.Index(
    "issues_open_routine_execution_uq",
    _ISSUES.c.company_id,
    _ISSUES.c.origin_kind,
    _ISSUES.c.origin_id,
    _ISSUES.c.origin_fingerprint,
    unique=True,
    postgresql_where=sa.text(
        f"origin_kind = 'routine_execution' AND origin_id IS NOT NULL AND hidden_at IS NULL "
        f"AND status IN ({sql_in(ISSUE_OPEN)})"
    ),
)
sa.Index("issues_company_origin_idx", _ISSUES.c.company_id, _ISSUES.c.origin_kind, _ISSUES.c.origin_id)

"""The heartbeat queue: wake-up requests, runs, run events, and the scheduler replicas' ticks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import bigint, created_at, fk, integer, jsonb, text, ts, updated_at, uuid_pk


class AgentWakeupRequest(Base):
    __tablename__ = "agent_wakeup_requests"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    agent_id: Mapped[uuid.UUID] = fk("agents.id", nullable=False)
    source: Mapped[str] = text("on_demand")
    trigger_detail: Mapped[str | None] = text()
    reason: Mapped[str | None] = text()
    payload: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    status: Mapped[str] = text("queued")
    coalesced_count: Mapped[int] = integer(0)
    requested_by_actor_type: Mapped[str | None] = text()
    requested_by_actor_id: Mapped[str | None] = text()
    idempotency_key: Mapped[str | None] = text()
    run_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    requested_at: Mapped[datetime] = created_at()
    claimed_at: Mapped[datetime | None] = ts()
    finished_at: Mapped[datetime | None] = ts()
    error: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index("agent_wakeup_requests_company_agent_status_idx", "company_id", "agent_id", "status"),
        sa.Index("agent_wakeup_requests_company_requested_idx", "company_id", "requested_at"),
        sa.Index("agent_wakeup_requests_agent_requested_idx", "agent_id", "requested_at"),
        sa.Index(
            "agent_wakeup_requests_idempotency_idx",
            "company_id",
            "agent_id",
            "idempotency_key",
            unique=True,
            postgresql_where=sa.text("idempotency_key IS NOT NULL"),
        ),
    )


class HeartbeatRun(Base):
    __tablename__ = "heartbeat_runs"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    agent_id: Mapped[uuid.UUID] = fk("agents.id", nullable=False)
    invocation_source: Mapped[str] = text("on_demand")
    trigger_detail: Mapped[str | None] = text()
    status: Mapped[str] = text("queued")
    started_at: Mapped[datetime | None] = ts()
    finished_at: Mapped[datetime | None] = ts()
    error: Mapped[str | None] = text()
    error_code: Mapped[str | None] = text()
    wakeup_request_id: Mapped[uuid.UUID | None] = fk("agent_wakeup_requests.id", ondelete="SET NULL")
    exit_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    signal: Mapped[str | None] = text()
    usage_json: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    result_json: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    session_id_before: Mapped[str | None] = text()
    session_id_after: Mapped[str | None] = text()
    log_store: Mapped[str | None] = text()
    log_ref: Mapped[str | None] = text()
    log_bytes: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    log_sha256: Mapped[str | None] = text()
    log_compressed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    stdout_excerpt: Mapped[str | None] = text()
    stderr_excerpt: Mapped[str | None] = text()
    external_run_id: Mapped[str | None] = text()
    context_snapshot: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    # Which server process runs it, and the agent's process: needed to recover after a crash.
    runner_id: Mapped[str | None] = text()
    process_pid: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    process_started_at: Mapped[str | None] = text()
    dismissed_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index("heartbeat_runs_company_agent_started_idx", "company_id", "agent_id", "started_at"),
        sa.Index("heartbeat_runs_status_idx", "status", "created_at"),
        sa.Index("heartbeat_runs_agent_status_idx", "agent_id", "status"),
    )


class HeartbeatRunEvent(Base):
    __tablename__ = "heartbeat_run_events"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    run_id: Mapped[uuid.UUID] = fk("heartbeat_runs.id", nullable=False)
    agent_id: Mapped[uuid.UUID] = fk("agents.id", nullable=False)
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    event_type: Mapped[str] = text("lifecycle")
    stream: Mapped[str | None] = text()
    level: Mapped[str | None] = text()
    color: Mapped[str | None] = text()
    message: Mapped[str | None] = text()
    payload: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.UniqueConstraint("run_id", "seq"),)


class SchedulerHeartbeat(Base):
    """One row per server replica: when its scheduler last ticked (GET /instance/scheduler-heartbeats)."""

    __tablename__ = "scheduler_heartbeats"

    replica_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    hostname: Mapped[str | None] = text()
    pid: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    started_at: Mapped[datetime] = created_at()
    last_tick_at: Mapped[datetime | None] = ts()
    last_tick_duration_ms: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_error: Mapped[str | None] = text()
    ticks: Mapped[int] = bigint(0)

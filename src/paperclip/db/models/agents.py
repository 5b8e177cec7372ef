"""Agents, their keys, config revisions, runtime state and per-task sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import bigint, created_at, fk, integer, jsonb, text, ts, updated_at, uuid_pk


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    name: Mapped[str] = text(nullable=False)
    role: Mapped[str] = text("general")
    title: Mapped[str | None] = text()
    icon: Mapped[str | None] = text()
    status: Mapped[str] = text("idle")
    reports_to: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    capabilities: Mapped[str | None] = text()
    adapter_type: Mapped[str] = text("process")
    adapter_config: Mapped[dict[str, Any]] = jsonb()
    runtime_config: Mapped[dict[str, Any]] = jsonb()
    budget_monthly_cents: Mapped[int] = integer(0)
    spent_monthly_cents: Mapped[int] = integer(0)
    pause_reason: Mapped[str | None] = text()
    paused_at: Mapped[datetime | None] = ts()
    permissions: Mapped[dict[str, Any]] = jsonb()
    last_heartbeat_at: Mapped[datetime | None] = ts()
    metadata_: Mapped[dict[str, Any] | None] = mapped_column(
        "metadata", sa.dialects.postgresql.JSONB, nullable=True
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index("agents_company_status_idx", "company_id", "status"),
        sa.Index("agents_company_reports_to_idx", "company_id", "reports_to"),
    )


class AgentApiKey(Base):
    __tablename__ = "agent_api_keys"

    id: Mapped[uuid.UUID] = uuid_pk()
    agent_id: Mapped[uuid.UUID] = fk("agents.id", nullable=False)
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    name: Mapped[str] = text(nullable=False)
    key_hash: Mapped[str] = text(nullable=False)
    last_used_at: Mapped[datetime | None] = ts()
    revoked_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.Index("agent_api_keys_key_hash_idx", "key_hash", unique=True),)


class AgentConfigRevision(Base):
    __tablename__ = "agent_config_revisions"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    agent_id: Mapped[uuid.UUID] = fk("agents.id", nullable=False, index=True)
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    source: Mapped[str] = text("patch")
    rolled_back_from_revision_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    changed_keys: Mapped[list[str]] = jsonb("[]")
    before_config: Mapped[dict[str, Any]] = jsonb()
    after_config: Mapped[dict[str, Any]] = jsonb()
    created_at: Mapped[datetime] = created_at()


class AgentRuntimeState(Base):
    __tablename__ = "agent_runtime_state"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    adapter_type: Mapped[str | None] = text()
    session_id: Mapped[str | None] = text()
    state_json: Mapped[dict[str, Any]] = jsonb()
    last_run_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    last_run_status: Mapped[str | None] = text()
    total_input_tokens: Mapped[int] = bigint(0)
    total_output_tokens: Mapped[int] = bigint(0)
    total_cached_input_tokens: Mapped[int] = bigint(0)
    total_cost_cents: Mapped[int] = bigint(0)
    last_error: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class AgentTaskSession(Base):
    __tablename__ = "agent_task_sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    agent_id: Mapped[uuid.UUID] = fk("agents.id", nullable=False)
    adapter_type: Mapped[str] = text(nullable=False)
    task_key: Mapped[str] = text(nullable=False)
    session_params_json: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    session_display_id: Mapped[str | None] = text()
    last_run_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    last_error: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.UniqueConstraint("company_id", "agent_id", "adapter_type", "task_key"),)

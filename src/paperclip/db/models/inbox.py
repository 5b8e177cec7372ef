"""Issue satellites a board user's inbox and an issue's artifacts need (paperclip-core.md §2.7):
per-user read marks and inbox archives, and work products (pull requests, branches, previews, ...)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import boolean, created_at, fk, text, updated_at, uuid_pk


class IssueReadState(Base):
    """When a board user last read an issue (one row per user and issue)."""

    __tablename__ = "issue_read_states"
    __table_args__ = (sa.UniqueConstraint("issue_id", "user_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False)
    user_id: Mapped[str] = text(nullable=False)
    last_read_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class IssueInboxArchive(Base):
    """An issue a board user archived out of their inbox (by themselves or by an agent on their behalf)."""

    __tablename__ = "issue_inbox_archives"
    __table_args__ = (sa.UniqueConstraint("issue_id", "user_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False)
    user_id: Mapped[str] = text(nullable=False)
    archived_by_actor_type: Mapped[str] = text("user")
    archived_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    archived_by_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    archived_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class IssueWorkProduct(Base):
    """An artifact of an issue's work: a pull request, branch, commit, preview URL, document, ..."""

    __tablename__ = "issue_work_products"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    project_id: Mapped[uuid.UUID | None] = fk("projects.id", ondelete="SET NULL")
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False, index=True)
    execution_workspace_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    runtime_service_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    type: Mapped[str] = text(nullable=False)
    provider: Mapped[str] = text(nullable=False)
    external_id: Mapped[str | None] = text()
    title: Mapped[str] = text(nullable=False)
    url: Mapped[str | None] = text()
    status: Mapped[str] = text("active")
    review_state: Mapped[str] = text("none")
    is_primary: Mapped[bool] = boolean(False)
    health_status: Mapped[str] = text("unknown")
    summary: Mapped[str | None] = text()
    metadata_: Mapped[Any] = mapped_column("metadata", JSONB, nullable=True)
    source_trust: Mapped[Any] = mapped_column(JSONB, nullable=True)
    created_by_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

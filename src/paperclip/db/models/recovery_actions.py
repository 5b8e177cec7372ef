"""Issue recovery actions: what a run that ended without success left on the issue it held, for the
board to reconcile (`/issues/:id/recovery-actions`). At most one action of an issue is active."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, integer, jsonb, text, ts, updated_at, uuid_pk


class IssueRecoveryAction(Base):
    __tablename__ = "issue_recovery_actions"
    __table_args__ = (
        sa.Index(
            "issue_recovery_actions_active_uq",
            "source_issue_id",
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
        ),
        sa.Index("issue_recovery_actions_source_issue_idx", "source_issue_id", "created_at"),
        sa.UniqueConstraint("company_id", "fingerprint", name="issue_recovery_actions_fingerprint_uq"),
        sa.CheckConstraint("status IN ('active', 'resolved', 'cancelled')", name="status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    source_issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False)
    recovery_issue_id: Mapped[uuid.UUID | None] = fk("issues.id", ondelete="SET NULL")
    run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL", index=True)
    kind: Mapped[str] = text(nullable=False)
    status: Mapped[str] = text("active")
    owner_type: Mapped[str] = text("board")
    owner_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    owner_user_id: Mapped[str | None] = text()
    previous_owner_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    return_owner_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    cause: Mapped[str] = text(nullable=False)
    fingerprint: Mapped[str] = text(nullable=False)
    evidence: Mapped[dict[str, Any]] = jsonb()
    next_action: Mapped[str] = text(nullable=False)
    wake_policy: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    monitor_policy: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    attempt_count: Mapped[int] = integer(1)
    max_attempts: Mapped[int] = integer(3)
    timeout_at: Mapped[datetime | None] = ts()
    last_attempt_at: Mapped[datetime | None] = ts()
    outcome: Mapped[str | None] = text()
    resolution_note: Mapped[str | None] = text()
    resolved_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

"""Issue-thread interactions: structured requests an agent (or a board user) puts to an issue's thread —
questions, confirmations, checkbox and item-verdict requests, suggested tasks — and their answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, text, ts, updated_at, uuid_pk


class IssueThreadInteraction(Base):
    __tablename__ = "issue_thread_interactions"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False)
    kind: Mapped[str] = text(nullable=False)
    status: Mapped[str] = text("pending")
    continuation_policy: Mapped[str] = text("none")
    requested_resolver_policy: Mapped[str] = text("anyone")
    effective_resolver_policy: Mapped[str] = text("anyone")
    resolver_policy_provenance: Mapped[str] = text("inherited")
    idempotency_key: Mapped[str | None] = text()
    request_fingerprint: Mapped[str | None] = text()  # what the idempotency key was first used for
    source_comment_id: Mapped[uuid.UUID | None] = fk("issue_comments.id", ondelete="SET NULL")
    source_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    title: Mapped[str | None] = text()
    summary: Mapped[str | None] = text()
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    addressee_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    addressee_user_id: Mapped[str | None] = text()
    resolved_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    resolved_by_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    resolved_by_user_id: Mapped[str | None] = text()
    payload: Mapped[Any] = mapped_column(JSONB, nullable=False)
    result: Mapped[Any] = mapped_column(JSONB, nullable=True)
    resolved_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index("issue_thread_interactions_issue_idx", "issue_id", "created_at"),
        sa.Index("issue_thread_interactions_company_status_idx", "company_id", "status"),
        sa.Index(
            "issue_thread_interactions_idempotency_uq",
            "issue_id",
            "idempotency_key",
            unique=True,
            postgresql_where=sa.text("idempotency_key IS NOT NULL"),
        ),
    )

"""Accepted-plan decompositions: the child issues made from an issue's plan once the board accepted
it (a request_confirmation on the plan document's revision), one per (issue, revision)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, text, ts, updated_at, uuid_pk


class AcceptedPlanDecomposition(Base):
    __tablename__ = "plan_decompositions"
    __table_args__ = (
        sa.UniqueConstraint(
            "source_issue_id",
            "plan_revision_id",
            name="plan_decompositions_issue_revision_uq",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    source_issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False)
    plan_revision_id: Mapped[uuid.UUID] = fk("document_revisions.id", nullable=False)
    interaction_id: Mapped[uuid.UUID | None] = fk("issue_thread_interactions.id", ondelete="SET NULL")
    status: Mapped[str] = text("completed")
    request_fingerprint: Mapped[str] = text(nullable=False)
    requested_child_count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    child_issue_ids: Mapped[list[Any]] = mapped_column(
        JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
    )
    owner_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    owner_user_id: Mapped[str | None] = text()
    owner_run_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    completed_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

"""Feedback votes: a board user's thumbs up/down on an agent's issue comment or document revision. Each
vote is also its local feedback trace (trace_id): what was voted on, summarised when the vote was cast.
Nothing leaves the instance: traces stay `local_only`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, text, updated_at, uuid_pk


class FeedbackVote(Base):
    __tablename__ = "feedback_votes"

    id: Mapped[uuid.UUID] = uuid_pk()
    trace_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, nullable=False, unique=True, server_default=sa.text("gen_random_uuid()")
    )
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False)
    target_type: Mapped[str] = text(nullable=False)
    target_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    author_user_id: Mapped[str] = text(nullable=False)
    vote: Mapped[str] = text(nullable=False)
    reason: Mapped[str | None] = text()
    target_summary: Mapped[Any] = mapped_column(JSONB, nullable=False)
    payload_digest: Mapped[str] = text(nullable=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.UniqueConstraint("target_type", "target_id", "author_user_id"),
        sa.Index("feedback_votes_issue_idx", "issue_id", "created_at"),
        sa.Index("feedback_votes_company_idx", "company_id", "created_at"),
    )

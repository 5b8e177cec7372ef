"""Stored objects: asset metadata, their links to issues, and the queue of objects to remove."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import bigint, created_at, fk, integer, text, updated_at, uuid_pk


class Asset(Base):
    __tablename__ = "assets"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    provider: Mapped[str] = text(nullable=False)
    object_key: Mapped[str] = text(nullable=False)
    content_type: Mapped[str] = text(nullable=False)
    byte_size: Mapped[int] = bigint(0)
    sha256: Mapped[str] = text(nullable=False)
    original_filename: Mapped[str | None] = text()
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.Index("assets_company_object_key_idx", "company_id", "object_key", unique=True),)


class IssueAttachment(Base):
    __tablename__ = "issue_attachments"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False, index=True)
    asset_id: Mapped[uuid.UUID] = fk("assets.id", nullable=False, index=True)
    issue_comment_id: Mapped[uuid.UUID | None] = fk("issue_comments.id", ondelete="SET NULL")
    originating_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class StorageDeletion(Base):
    """An object (or every object under a prefix) to remove from a provider, queued in the transaction
    that dropped its rows, so the removal survives a crash and is retried; no foreign keys: the company
    may be gone."""

    __tablename__ = "storage_deletions"

    id: Mapped[uuid.UUID] = uuid_pk()
    provider: Mapped[str] = text(nullable=False)
    object_key: Mapped[str] = text(nullable=False)
    is_prefix: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    reason: Mapped[str] = text(nullable=False)
    attempts: Mapped[int] = integer(0)
    last_error: Mapped[str | None] = text()
    next_attempt_at: Mapped[datetime] = created_at()
    created_at: Mapped[datetime] = created_at()

"""Issue documents: keyed, revisioned markdown (`plan`, `design`, `notes`, ...) attached to issues."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, text, ts, updated_at, uuid_pk


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False, index=True)
    title: Mapped[str | None] = text()
    format: Mapped[str] = text("markdown")
    latest_body: Mapped[str] = text("", nullable=False)
    latest_revision_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    latest_revision_number: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    updated_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    updated_by_user_id: Mapped[str | None] = text()
    locked_at: Mapped[datetime | None] = ts()
    locked_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    locked_by_user_id: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class DocumentRevision(Base):
    """Append-only: a PUT or a restore adds one; nothing updates or deletes a revision but its document's deletion."""

    __tablename__ = "document_revisions"
    __table_args__ = (sa.UniqueConstraint("document_id", "revision_number"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    document_id: Mapped[uuid.UUID] = fk("documents.id", nullable=False)
    revision_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str | None] = text()
    format: Mapped[str] = text("markdown")
    body: Mapped[str] = text("", nullable=False)
    change_summary: Mapped[str | None] = text()
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    created_by_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = created_at()


class IssueDocument(Base):
    __tablename__ = "issue_documents"
    __table_args__ = (sa.UniqueConstraint("issue_id", "key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False, index=True)
    document_id: Mapped[uuid.UUID] = fk("documents.id", nullable=False, index=True)
    key: Mapped[str] = text(nullable=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

"""Issue tree holds: an operator's pause / cancel of an issue and everything under it (and the resume /
restore that undo them), with the subtree as it stood when the hold was made (its members)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import boolean, created_at, fk, text, ts, updated_at, uuid_pk


class IssueTreeHold(Base):
    __tablename__ = "issue_tree_holds"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    root_issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False)
    mode: Mapped[str] = text(nullable=False)
    status: Mapped[str] = text("active")
    reason: Mapped[str | None] = text()
    release_policy: Mapped[Any] = mapped_column(
        JSONB, nullable=False, server_default=sa.text("""'{"strategy": "manual"}'::jsonb""")
    )
    metadata_: Mapped[Any] = mapped_column("metadata", JSONB, nullable=True)
    created_by_actor_type: Mapped[str] = text("user")
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    created_by_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    released_at: Mapped[datetime | None] = ts()
    released_by_actor_type: Mapped[str | None] = text()
    released_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    released_by_user_id: Mapped[str | None] = text()
    released_by_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    release_reason: Mapped[str | None] = text()
    release_metadata: Mapped[Any] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index("issue_tree_holds_root_idx", "root_issue_id", "created_at"),
        # what every checkout, comment and issue wake-up asks first: has this company any active pause?
        sa.Index(
            "issue_tree_holds_active_pause_idx",
            "company_id",
            "root_issue_id",
            postgresql_where=sa.text("status = 'active' AND mode = 'pause'"),
        ),
    )


class IssueTreeHoldMember(Base):
    __tablename__ = "issue_tree_hold_members"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    hold_id: Mapped[uuid.UUID] = fk("issue_tree_holds.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False, index=True)
    parent_issue_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    depth: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    issue_identifier: Mapped[str | None] = text()
    issue_title: Mapped[str] = text(nullable=False)
    issue_status: Mapped[str] = text(nullable=False)
    assignee_agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    assignee_user_id: Mapped[str | None] = text()
    active_run_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    active_run_status: Mapped[str | None] = text()
    skipped: Mapped[bool] = boolean(False)
    skip_reason: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.UniqueConstraint("hold_id", "issue_id"),)

"""Goals, projects, issues and the issue satellites (comments, relations, labels, approval links)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, integer, jsonb, text, ts, updated_at, uuid_pk


class Goal(Base):
    __tablename__ = "goals"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False, index=True)
    title: Mapped[str] = text(nullable=False)
    description: Mapped[str | None] = text()
    level: Mapped[str] = text("task")
    status: Mapped[str] = text("planned")
    parent_id: Mapped[uuid.UUID | None] = fk("goals.id", ondelete="SET NULL")
    owner_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (sa.Index("uq_projects_company_url_key", "company_id", "url_key", unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False, index=True)
    goal_id: Mapped[uuid.UUID | None] = fk("goals.id", ondelete="SET NULL")
    name: Mapped[str] = text(nullable=False)
    description: Mapped[str | None] = text()
    status: Mapped[str] = text("backlog")
    lead_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    target_date: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    color: Mapped[str | None] = text()
    icon: Mapped[str | None] = text()
    env: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    pause_reason: Mapped[str | None] = text()
    paused_at: Mapped[datetime | None] = ts()
    archived_at: Mapped[datetime | None] = ts()
    url_key: Mapped[str | None] = (
        text()
    )  # the project's short name in URLs and CLI look-ups, unique per company
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class ProjectGoal(Base):
    __tablename__ = "project_goals"

    project_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    goal_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    created_at: Mapped[datetime] = created_at()


class Issue(Base):
    __tablename__ = "issues"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    project_id: Mapped[uuid.UUID | None] = fk("projects.id", ondelete="SET NULL")
    goal_id: Mapped[uuid.UUID | None] = fk("goals.id", ondelete="SET NULL")
    parent_id: Mapped[uuid.UUID | None] = fk("issues.id", ondelete="SET NULL")
    title: Mapped[str] = text(nullable=False)
    description: Mapped[str | None] = text()
    status: Mapped[str] = text("backlog")
    priority: Mapped[str] = text("medium")
    assignee_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    assignee_user_id: Mapped[str | None] = text()
    checkout_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    execution_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    execution_agent_name_key: Mapped[str | None] = text()
    execution_locked_at: Mapped[datetime | None] = ts()
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    issue_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    identifier: Mapped[str] = text(nullable=False)
    origin_kind: Mapped[str] = text("manual")
    origin_id: Mapped[str | None] = text()
    origin_run_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    origin_fingerprint: Mapped[str] = text(
        "default"
    )  # routines: one open issue per fingerprint (models/routines.py)
    request_depth: Mapped[int] = integer(0)
    billing_code: Mapped[str | None] = text()
    started_at: Mapped[datetime | None] = ts()
    completed_at: Mapped[datetime | None] = ts()
    cancelled_at: Mapped[datetime | None] = ts()
    hidden_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        sa.Index("issues_identifier_idx", "identifier", unique=True),
        sa.Index("issues_company_status_idx", "company_id", "status"),
        sa.Index("issues_company_assignee_agent_status_idx", "company_id", "assignee_agent_id", "status"),
        sa.Index("issues_company_assignee_user_status_idx", "company_id", "assignee_user_id", "status"),
        sa.Index("issues_company_parent_idx", "company_id", "parent_id"),
        sa.Index("issues_company_project_idx", "company_id", "project_id"),
        # a run's end clears the locks that still point at it (heartbeat finalize)
        sa.Index(
            "issues_checkout_run_idx",
            "checkout_run_id",
            postgresql_where=sa.text("checkout_run_id IS NOT NULL"),
        ),
        sa.Index(
            "issues_execution_run_idx",
            "execution_run_id",
            postgresql_where=sa.text("execution_run_id IS NOT NULL"),
        ),
        sa.CheckConstraint(
            "NOT (assignee_agent_id IS NOT NULL AND assignee_user_id IS NOT NULL)", name="single_assignee"
        ),
    )


class IssueComment(Base):
    __tablename__ = "issue_comments"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False, index=True)
    author_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    author_user_id: Mapped[str | None] = text()
    created_by_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    body: Mapped[str] = text(nullable=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class IssueRelation(Base):
    __tablename__ = "issue_relations"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    # issue_id is blocked by related_issue_id when type = 'blocks' (related blocks issue)
    issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False, index=True)
    related_issue_id: Mapped[uuid.UUID] = fk("issues.id", nullable=False, index=True)
    type: Mapped[str] = text("blocks")
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.UniqueConstraint("company_id", "issue_id", "related_issue_id", "type"),)


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    name: Mapped[str] = text(nullable=False)
    color: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.UniqueConstraint("company_id", "name"),)


class IssueLabel(Base):
    __tablename__ = "issue_labels"

    issue_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    created_at: Mapped[datetime] = created_at()


class IssueApproval(Base):
    __tablename__ = "issue_approvals"

    issue_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    approval_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("approvals.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    created_at: Mapped[datetime] = created_at()

"""Instance-wide state the board edits: the instance settings (one row) and per-user sidebar orders."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, jsonb, text, updated_at, uuid_pk


class InstanceSettings(Base):
    """The instance's settings (the original's GET/PATCH /api/instance/settings*). One row, made on
    first use; `general` and `experimental` hold only what the board changed, over the defaults in
    appshell/settings.py, so a later default reaches instances that never touched it."""

    __tablename__ = "instance_settings"
    __table_args__ = (sa.UniqueConstraint("singleton", name="instance_settings_singleton_uq"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    singleton: Mapped[str] = text(default="default")
    general: Mapped[dict[str, Any]] = jsonb()
    experimental: Mapped[dict[str, Any]] = jsonb()
    # the built-in "Local" execution environment's id, and the default environment (it or none)
    local_environment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), nullable=False, server_default=sa.text("gen_random_uuid()")
    )
    default_environment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class SidebarPreference(Base):
    """A board user's order of the sidebar: companies (scope 'instance') or a company's projects
    (scope = the company's id)."""

    __tablename__ = "sidebar_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "scope", name="sidebar_preferences_user_scope_uq"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[str] = text(nullable=False)
    scope: Mapped[str] = text(nullable=False)
    company_id: Mapped[uuid.UUID | None] = fk("companies.id")
    ordered_ids: Mapped[list[str]] = jsonb(default="[]")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

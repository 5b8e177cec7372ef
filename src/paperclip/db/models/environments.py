"""Execution environments (the original's /api/environments): where agent runs execute. Instance-wide
like the original's; the built-in "Local" row (id = instance_settings.local_environment_id) is made
by the migration that added the table. Leases are not stored: a run started on this machine is the
lease (environments/leases.py derives them from heartbeat_runs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, jsonb, text, updated_at, uuid_pk


class Environment(Base):
    __tablename__ = "environments"
    __table_args__ = (
        sa.CheckConstraint("driver IN ('local', 'ssh', 'sandbox', 'plugin')", name="driver"),
        sa.CheckConstraint("status IN ('active', 'archived')", name="status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = text(nullable=False)
    description: Mapped[str | None] = text()
    driver: Mapped[str] = text("local")
    status: Mapped[str] = text("active")
    config: Mapped[dict[str, Any]] = jsonb()
    env_vars: Mapped[dict[str, Any]] = jsonb()
    metadata_json: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from paperclip.db.base import Base
from paperclip.db.models._columns import boolean, created_at, integer, text, ts, updated_at, uuid_pk


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = text(nullable=False)
    description: Mapped[str | None] = text()
    status: Mapped[str] = text("active")
    pause_reason: Mapped[str | None] = text()
    paused_at: Mapped[datetime | None] = ts()
    issue_prefix: Mapped[str] = text("PAP")
    issue_counter: Mapped[int] = integer(0)
    budget_monthly_cents: Mapped[int] = integer(0)
    spent_monthly_cents: Mapped[int] = integer(0)
    attachment_max_bytes: Mapped[int] = integer(10 * 1024 * 1024)
    require_board_approval_for_new_agents: Mapped[bool] = boolean(False)
    brand_color: Mapped[str | None] = text()
    logo_asset_id: Mapped[uuid.UUID | None] = sa.orm.mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.Index("companies_issue_prefix_idx", "issue_prefix", unique=True),)

"""finance_events: money that moves outside per-run inference cost (credit purchases, platform and
gateway fees, refunds, manual adjustments), debit or credit, per biller (reference §2.11)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import boolean, created_at, fk, jsonb, text, uuid_pk

FINANCE_EVENT_KINDS = (
    "inference_charge",
    "platform_fee",
    "credit_purchase",
    "credit_refund",
    "credit_expiry",
    "byok_fee",
    "gateway_overhead",
    "log_storage_charge",
    "logpush_charge",
    "provisioned_capacity_charge",
    "training_charge",
    "custom_model_import_charge",
    "custom_model_storage_charge",
    "manual_adjustment",
)
FINANCE_DIRECTIONS = ("debit", "credit")
FINANCE_UNITS = (
    "input_token",
    "output_token",
    "cached_input_token",
    "request",
    "credit_usd",
    "credit_unit",
    "model_unit_minute",
    "model_unit_hour",
    "gb_month",
    "train_token",
    "unknown",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FinanceEvent(Base):
    __tablename__ = "finance_events"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    issue_id: Mapped[uuid.UUID | None] = fk("issues.id", ondelete="SET NULL")
    project_id: Mapped[uuid.UUID | None] = fk("projects.id", ondelete="SET NULL")
    goal_id: Mapped[uuid.UUID | None] = fk("goals.id", ondelete="SET NULL")
    heartbeat_run_id: Mapped[uuid.UUID | None] = fk("heartbeat_runs.id", ondelete="SET NULL")
    cost_event_id: Mapped[uuid.UUID | None] = fk("cost_events.id", ondelete="SET NULL")
    billing_code: Mapped[str | None] = text()
    description: Mapped[str | None] = text()
    event_kind: Mapped[str] = text(nullable=False)
    direction: Mapped[str] = text("debit")
    biller: Mapped[str] = text(nullable=False)
    provider: Mapped[str | None] = text()
    execution_adapter_type: Mapped[str | None] = text()
    pricing_tier: Mapped[str | None] = text()
    region: Mapped[str | None] = text()
    model: Mapped[str | None] = text()
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric, nullable=True)
    unit: Mapped[str | None] = text()
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = text("USD")
    estimated: Mapped[bool] = boolean(False)
    external_invoice_id: Mapped[str | None] = text()
    metadata_json: Mapped[dict[str, Any] | None] = jsonb(nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (
        sa.CheckConstraint(_one_of("event_kind", FINANCE_EVENT_KINDS), name="event_kind"),
        sa.CheckConstraint(_one_of("direction", FINANCE_DIRECTIONS), name="direction"),
        sa.CheckConstraint(f"unit IS NULL OR {_one_of('unit', FINANCE_UNITS)}", name="unit"),
        sa.CheckConstraint("amount_cents >= 0", name="amount"),
        sa.Index("finance_events_company_occurred_idx", "company_id", "occurred_at"),
        sa.Index("finance_events_company_biller_occurred_idx", "company_id", "biller", "occurred_at"),
    )

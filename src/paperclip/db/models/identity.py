"""Sessions, sign-in throttling, join requests, permission grants and CLI login challenges."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, integer, jsonb, text, ts, updated_at, uuid_pk


class AuthSession(Base):
    """A signed-in browser: only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    token_hash: Mapped[str] = text(nullable=False)
    user_id: Mapped[str] = mapped_column(
        sa.Text, sa.ForeignKey("auth_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    ip_address: Mapped[str | None] = text()
    user_agent: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.Index("auth_sessions_token_hash_idx", "token_hash", unique=True),)


class AuthRateLimit(Base):
    """Sign-in attempts per key (`email:<address>` or `ip:<address>`) in a fixed window."""

    __tablename__ = "auth_rate_limits"

    key: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    attempts: Mapped[int] = integer(0)


class JoinRequest(Base):
    __tablename__ = "join_requests"

    id: Mapped[uuid.UUID] = uuid_pk()
    invite_id: Mapped[uuid.UUID] = fk("invites.id", nullable=False, index=True)
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False, index=True)
    request_type: Mapped[str] = text(nullable=False)  # human | agent
    status: Mapped[str] = text("pending_approval")
    requesting_user_id: Mapped[str | None] = text()
    request_email_snapshot: Mapped[str | None] = text()
    agent_name: Mapped[str | None] = text()
    adapter_type: Mapped[str | None] = text()
    capabilities: Mapped[str | None] = text()
    agent_defaults_payload: Mapped[Any] = jsonb(nullable=True)
    created_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    claim_secret_hash: Mapped[str | None] = text()
    claim_secret_consumed_at: Mapped[datetime | None] = ts()
    approved_by_user_id: Mapped[str | None] = text()
    approved_at: Mapped[datetime | None] = ts()
    rejected_by_user_id: Mapped[str | None] = text()
    rejected_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class PrincipalPermissionGrant(Base):
    __tablename__ = "principal_permission_grants"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    principal_type: Mapped[str] = text(nullable=False)
    principal_id: Mapped[str] = text(nullable=False)
    permission_key: Mapped[str] = text(nullable=False)
    scope: Mapped[Any] = jsonb(nullable=True)
    granted_by_user_id: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.UniqueConstraint("company_id", "principal_type", "principal_id", "permission_key"),)


class CliAuthChallenge(Base):
    """A CLI login waiting for a signed-in user's approval; only the secret's SHA-256 is stored."""

    __tablename__ = "cli_auth_challenges"

    id: Mapped[uuid.UUID] = uuid_pk()
    secret_hash: Mapped[str] = text(nullable=False)
    command: Mapped[str | None] = text()
    client_name: Mapped[str | None] = text()
    requested_access: Mapped[str] = text("board")  # board | instance_admin_required
    requested_company_id: Mapped[uuid.UUID | None] = fk("companies.id", ondelete="SET NULL")
    status: Mapped[str] = text("pending")  # pending | approved | cancelled
    approved_by_user_id: Mapped[str | None] = text()
    board_api_key_id: Mapped[uuid.UUID | None] = fk("board_api_keys.id", ondelete="SET NULL")
    pending_key_hash: Mapped[str | None] = text()
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    approved_at: Mapped[datetime | None] = ts()
    cancelled_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.Index("cli_auth_challenges_secret_hash_idx", "secret_hash", unique=True),)

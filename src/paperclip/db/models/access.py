"""Users, instance roles, memberships, invites and board keys (login flows come in a later issue)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import boolean, created_at, fk, jsonb, text, ts, updated_at, uuid_pk


class User(Base):
    __tablename__ = "auth_users"

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str | None] = text()
    email: Mapped[str | None] = text()
    email_verified: Mapped[bool] = boolean(False)
    image: Mapped[str | None] = text()
    password_hash: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.Index("auth_users_email_idx", sa.func.lower(sa.text("email")), unique=True),)


class InstanceUserRole(Base):
    __tablename__ = "instance_user_roles"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    role: Mapped[str] = text("instance_admin")
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)


class CompanyMembership(Base):
    __tablename__ = "company_memberships"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    principal_type: Mapped[str] = text(nullable=False)
    principal_id: Mapped[str] = text(nullable=False)
    status: Mapped[str] = text("active")
    membership_role: Mapped[str] = text("member")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.UniqueConstraint("company_id", "principal_type", "principal_id"),)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID | None] = fk("companies.id")
    invite_type: Mapped[str] = text("company_join")
    token_hash: Mapped[str] = text(nullable=False)
    allowed_join_types: Mapped[str] = text("both")
    defaults_payload: Mapped[Any] = jsonb(nullable=True)
    invited_by_user_id: Mapped[str | None] = text()
    human_role: Mapped[str | None] = text()
    agent_message: Mapped[str | None] = text()
    accepted_by_user_id: Mapped[str | None] = text()
    expires_at: Mapped[datetime | None] = ts()
    revoked_at: Mapped[datetime | None] = ts()
    accepted_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.Index("invites_token_hash_idx", "token_hash", unique=True),)


class BoardApiKey(Base):
    __tablename__ = "board_api_keys"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[str] = text(nullable=False)
    name: Mapped[str] = text(nullable=False)
    key_hash: Mapped[str] = text(nullable=False)
    expires_at: Mapped[datetime | None] = ts()
    last_used_at: Mapped[datetime | None] = ts()
    revoked_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.Index("board_api_keys_key_hash_idx", "key_hash", unique=True),)

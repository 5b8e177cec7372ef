"""Company secrets and their versions (core §2.16), and the instance's master-key canary."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from paperclip.db.base import Base
from paperclip.db.models._columns import created_at, fk, integer, jsonb, text, ts, updated_at, uuid_pk


class CompanySecret(Base):
    __tablename__ = "company_secrets"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = fk("companies.id", nullable=False)
    name: Mapped[str] = text(nullable=False)
    provider: Mapped[str] = text("local_encrypted")
    external_ref: Mapped[str | None] = text()
    latest_version: Mapped[int] = integer(1)
    description: Mapped[str | None] = text()
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    last_rotated_at: Mapped[datetime | None] = ts()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (sa.Index("company_secrets_company_name_uq", "company_id", "name", unique=True),)


class CompanySecretVersion(Base):
    __tablename__ = "company_secret_versions"

    id: Mapped[uuid.UUID] = uuid_pk()
    secret_id: Mapped[uuid.UUID] = fk("company_secrets.id", nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    material: Mapped[dict[str, Any]] = jsonb()
    value_sha256: Mapped[str] = text(nullable=False)
    created_by_agent_id: Mapped[uuid.UUID | None] = fk("agents.id", ondelete="SET NULL")
    created_by_user_id: Mapped[str | None] = text()
    created_at: Mapped[datetime] = created_at()
    revoked_at: Mapped[datetime | None] = ts()

    __table_args__ = (
        sa.Index("company_secret_versions_secret_version_uq", "secret_id", "version", unique=True),
    )


class SecretKeyCanary(Base):
    """One row: a known plaintext encrypted under the local master key, so doctor (and start-up) can
    prove the key in use is the one the database's secrets were written with."""

    __tablename__ = "secret_key_canaries"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = text(nullable=False)
    material: Mapped[dict[str, Any]] = jsonb()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class SecretDeletion(Base):
    """A managed copy of a secret in an external provider (AWS Secrets Manager) to delete there: queued
    by a trigger when a version row naming it is deleted — with its secret or its company, in that
    transaction — and removed by secrets.cleanup, retried with backoff. No foreign keys: the company
    may be gone."""

    __tablename__ = "secret_deletions"

    id: Mapped[uuid.UUID] = uuid_pk()
    provider: Mapped[str] = text(nullable=False)
    secret_ref: Mapped[str] = text(nullable=False)  # the provider's id of the managed copy (an ARN or name)
    company_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    attempts: Mapped[int] = integer(0)
    last_error: Mapped[str | None] = text()
    next_attempt_at: Mapped[datetime] = created_at()
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (sa.Index("secret_deletions_provider_ref_uq", "provider", "secret_ref", unique=True),)

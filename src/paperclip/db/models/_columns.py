"""Column shorthands: UUID keys, timestamps with server defaults, JSONB with empty defaults."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()"), default=uuid.uuid4
    )


def fk(
    target: str, *, nullable: bool = True, ondelete: str | None = "CASCADE", index: bool = False
) -> Mapped[Any]:
    return mapped_column(
        UUID(as_uuid=True), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
    )


def created_at() -> Mapped[datetime]:
    return mapped_column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def updated_at() -> Mapped[datetime]:
    return mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), onupdate=sa.func.now()
    )


def ts(nullable: bool = True) -> Mapped[datetime | None]:
    return mapped_column(sa.DateTime(timezone=True), nullable=nullable)


def jsonb(default: str = "{}", nullable: bool = False) -> Mapped[Any]:
    return mapped_column(
        JSONB, nullable=nullable, server_default=sa.text(f"'{default}'::jsonb") if not nullable else None
    )


def text(default: str | None = None, nullable: bool = True) -> Mapped[Any]:
    if default is not None:
        return mapped_column(sa.Text, nullable=False, server_default=default)
    return mapped_column(sa.Text, nullable=nullable)


def integer(default: int = 0) -> Mapped[int]:
    return mapped_column(sa.Integer, nullable=False, server_default=str(default))


def bigint(default: int = 0) -> Mapped[int]:
    return mapped_column(sa.BigInteger, nullable=False, server_default=str(default))


def boolean(default: bool) -> Mapped[bool]:
    return mapped_column(sa.Boolean, nullable=False, server_default=sa.true() if default else sa.false())

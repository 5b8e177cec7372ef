"""Alembic environment: runs on a connection handed in by paperclip.db.migrate (never a URL of its own)."""

from __future__ import annotations

from alembic import context

import paperclip.db.models  # noqa: F401  (registers every table)
from paperclip.db.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `paperclipai db migrate`, which provides the connection")

context.configure(
    connection=connection, target_metadata=Base.metadata, compare_type=True, transaction_per_migration=True
)
with context.begin_transaction():
    context.run_migrations()

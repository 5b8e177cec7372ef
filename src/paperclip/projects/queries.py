"""Hand-written SQL of projects (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# Two creations (or renames) in one company pick their URL keys in turn, until the transaction ends.
URL_KEY_LOCK = Sql(
    "SELECT pg_advisory_xact_lock(hashtextextended('project-url-key:' || CAST(:company_id AS text), 0))"
)

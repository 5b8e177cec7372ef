"""Hand-written SQL of routines (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The newest run of each routine among :ids (DISTINCT ON: one row per routine).
LAST_RUNS = Sql("""
    SELECT DISTINCT ON (routine_id) * FROM routine_runs WHERE routine_id = ANY(:ids)
    ORDER BY routine_id, created_at DESC, id DESC
""")

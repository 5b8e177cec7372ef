"""Hand-written SQL of agents (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# An agent and its managers upwards, nearest first (depth 0 is the agent), at most :max_depth levels.
ANCESTORS = Sql("""
WITH RECURSIVE chain(id, reports_to, depth) AS (
    SELECT id, reports_to, 0 FROM agents WHERE id = :start
    UNION ALL
    SELECT a.id, a.reports_to, c.depth + 1 FROM agents a JOIN chain c ON a.id = c.reports_to
    WHERE c.depth < :max_depth
)
SELECT c.id, a.name, a.role, a.title, c.depth FROM chain c JOIN agents a ON a.id = c.id ORDER BY c.depth
""")

"""Hand-written SQL of goals (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# A goal and its parents upwards (1024 levels at most): a new parent must not be among them.
ANCESTOR_IDS = Sql("""
WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM goals WHERE id = :start
    UNION ALL
    SELECT g.id, g.parent_id, c.depth + 1 FROM goals g JOIN chain c ON g.id = c.parent_id WHERE c.depth < 1024
)
SELECT id FROM chain
""")

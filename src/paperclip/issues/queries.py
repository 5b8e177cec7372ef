"""Hand-written SQL of the issue satellites read on every issue page (asyncpg placeholders)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The issue (by id or identifier) with its interactions, oldest first; one row with NULL interaction
# columns when it has none, no row when the issue does not exist.
INTERACTIONS_OF_ISSUE = Sql("""
SELECT i.company_id AS issue_company_id, t.*
FROM issues i
LEFT JOIN LATERAL (SELECT * FROM issue_thread_interactions x WHERE x.issue_id = i.id
                   ORDER BY x.created_at, x.id LIMIT $3 OFFSET $4) t ON true
WHERE i.id = $1 OR i.identifier = $2
ORDER BY t.created_at, t.id
""")

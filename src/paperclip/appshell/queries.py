"""Hand-written SQL of the app-shell reads (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The sidebar's four counts for ($1 company, $2 user) in one round trip.
SIDEBAR_BADGES = Sql("""SELECT
  (SELECT count(*) FROM issues i WHERE i.company_id = $1 AND i.hidden_at IS NULL
     AND ((i.assignee_user_id = $2 AND i.status IN ('backlog', 'todo', 'in_progress', 'in_review', 'blocked'))
       OR (i.created_by_user_id = $2 AND i.status IN ('in_review', 'blocked')))) AS inbox,
  (SELECT count(*) FROM approvals a WHERE a.company_id = $1 AND a.status IN ('pending', 'revision_requested')) AS approvals,
  (SELECT count(*) FROM heartbeat_runs r WHERE r.company_id = $1 AND r.status IN ('failed', 'timed_out')
     AND r.dismissed_at IS NULL AND r.created_at >= now() - interval '3 days') AS failed_runs,
  (SELECT count(*) FROM join_requests j WHERE j.company_id = $1 AND j.status = 'pending_approval') AS join_requests""")

# The company's user members with their auth profile, oldest membership first.
USER_DIRECTORY = Sql("""SELECT m.principal_id, m.status, u.email, u.name, u.image
  FROM company_memberships m LEFT JOIN auth_users u ON u.id = m.principal_id
 WHERE m.company_id = $1 AND m.principal_type = 'user' ORDER BY m.created_at""")

AGENT_ADAPTER = Sql("SELECT company_id, adapter_type FROM agents WHERE id = $1")

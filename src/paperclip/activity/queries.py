"""Hand-written SQL of the audit log (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The columns and actor values of an activity row written inside another statement (see
# activity.service.actor_params).
INSERT_ACTIVITY = (
    "INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, "
    "agent_id, run_id, details, created_at)"
)
ACTOR_VALUES = "CAST(:actor_type AS text), CAST(:actor_id AS text)"
ACTOR_IDS = "CAST(:actor_agent_id AS uuid), CAST(:actor_run_id AS uuid)"

# One activity entry; clock_timestamp(), not now(): entries of one transaction keep their order.
RECORD = Sql(
    f"{INSERT_ACTIVITY} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS jsonb), clock_timestamp())"
)

# What agents (and the system) did, newest first, one keyset page: $1 company, $2 agent or NULL,
# $3/$4 the cursor (created_at, id) or NULL, $5 limit, $6 true to include people's entries too.
AGENT_ACTIONS = Sql("""SELECT a.id, a.company_id, a.actor_type, a.actor_id, a.action, a.entity_type, a.entity_id, a.agent_id,
       a.run_id, a.details, a.created_at, i.id AS issue_id, i.identifier AS issue_identifier, i.title AS issue_title
  FROM activity_log a
  LEFT JOIN issues i ON a.entity_type = 'issue' AND i.id::text = a.entity_id AND i.company_id = a.company_id
 WHERE a.company_id = $1 AND ($6::boolean OR a.actor_type IN ('agent', 'system'))
   AND ($2::uuid IS NULL OR a.agent_id = $2::uuid)
   AND ($3::timestamptz IS NULL OR (a.created_at, a.id) < ($3::timestamptz, $4::uuid))
 ORDER BY a.created_at DESC, a.id DESC LIMIT $5""")

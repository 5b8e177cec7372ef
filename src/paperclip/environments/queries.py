"""Hand-written SQL of environments and their leases (runs started in them)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

_COLUMNS = "id, name, description, driver, status, config, env_vars, metadata_json, created_at, updated_at"

LIST = Sql(f"""
SELECT {_COLUMNS} FROM environments
WHERE (CAST(:driver AS text) IS NULL OR driver = CAST(:driver AS text))
  AND (CAST(:status AS text) IS NULL OR status = CAST(:status AS text))
ORDER BY updated_at DESC, id
""")

GET = Sql(f"SELECT {_COLUMNS} FROM environments WHERE id = :id")

GET_FOR_UPDATE = Sql(f"SELECT {_COLUMNS} FROM environments WHERE id = :id FOR UPDATE")

# the built-in Local environment when its row is missing (instance settings remade by hand)
ENSURE_LOCAL = Sql("""
INSERT INTO environments (id, name, description, driver, status, metadata_json, created_at, updated_at)
SELECT local_environment_id, :name, :description, 'local', 'active', CAST(:metadata AS jsonb), created_at, created_at
FROM instance_settings WHERE singleton = 'default'
ON CONFLICT (id) DO NOTHING
""")

INSTANCE_IDS = Sql(
    "SELECT local_environment_id, default_environment_id FROM instance_settings WHERE singleton = 'default'"
)

UPDATE = Sql(f"""
UPDATE environments SET name = :name, description = :description, status = :status,
       metadata_json = CAST(:metadata AS jsonb), updated_at = :now
WHERE id = :id
RETURNING {_COLUMNS}
""")

DELETE = Sql("DELETE FROM environments WHERE id = :id")

COMPANY_IDS = Sql("SELECT id FROM companies ORDER BY created_at")

# A run that started on this machine holds a lease on the Local environment from its start to its
# end (the original writes a lease row per run; ours is the run row itself).
_LEASE_COLUMNS = """
r.id, r.company_id, r.agent_id, r.status AS run_status, r.started_at, r.finished_at, r.updated_at,
r.created_at, r.error, r.context_snapshot ->> 'issueId' AS issue_id
"""

LEASES = Sql(f"""
SELECT {_LEASE_COLUMNS} FROM heartbeat_runs r
WHERE r.started_at IS NOT NULL
  AND (CAST(:company_ids AS uuid[]) IS NULL OR r.company_id = ANY(CAST(:company_ids AS uuid[])))
  AND (CAST(:statuses AS text[]) IS NULL OR r.status = ANY(CAST(:statuses AS text[])))
ORDER BY r.started_at DESC, r.id
LIMIT :limit OFFSET :offset
""")

LEASE = Sql(f"SELECT {_LEASE_COLUMNS} FROM heartbeat_runs r WHERE r.id = :id AND r.started_at IS NOT NULL")

ACTIVE_LEASE_COUNT = Sql("SELECT count(*) FROM heartbeat_runs WHERE status = 'running'")

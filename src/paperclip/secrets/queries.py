"""Hand-written SQL of secrets (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The env bindings of the caller's run: its context (for the project's env) and its agent's env, only
# when the run is the agent's own and the agent is in the company.
RUN_AGENT_ENV = Sql("""
    SELECT r.context_snapshot, a.adapter_config->'env' AS env
    FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
    WHERE r.id = :run AND r.agent_id = :agent AND a.company_id = :company
""")

# Env bindings that name secrets: agents' adapterConfig.env and projects' env.
SECRET_BINDINGS = Sql("""
    SELECT 'agent' AS target_type, a.id AS target_id, a.name AS target_name, e.key AS env_key,
           e.value->>'secretId' AS secret_id, e.value->>'version' AS version
    FROM agents a, jsonb_each(CASE WHEN jsonb_typeof(a.adapter_config->'env') = 'object'
                                   THEN a.adapter_config->'env' ELSE '{}'::jsonb END) e
    WHERE a.company_id = :company_id AND a.status <> 'terminated' AND e.value->>'type' = 'secret_ref'
    UNION ALL
    SELECT 'project', p.id, p.name, e.key, e.value->>'secretId', e.value->>'version'
    FROM projects p, jsonb_each(CASE WHEN jsonb_typeof(p.env) = 'object' THEN p.env ELSE '{}'::jsonb END) e
    WHERE p.company_id = :company_id AND e.value->>'type' = 'secret_ref'
""")

# The env of the project a run works in: its issue's project, else the context's projectId (core §2.5).
PROJECT_ENV = Sql("""
    select p.env from projects p
    where p.company_id = :cid and p.id = coalesce(
        (select i.project_id from issues i where i.id = CAST(:issue AS uuid) and i.company_id = :cid),
        CAST(:project AS uuid))
""")

# Rotating the master key (`paperclipai secrets rotate-master-key`, synchronous): every locally
# encrypted version, locked until the rotation commits, then rewritten under the new key.
LOCAL_VERSIONS_FOR_UPDATE = Sql("""
    SELECT v.id, v.material FROM company_secret_versions v JOIN company_secrets s ON s.id = v.secret_id
    WHERE s.provider = 'local_encrypted' ORDER BY v.id FOR UPDATE OF v
""")
SET_VERSION_MATERIAL = Sql(
    "UPDATE company_secret_versions SET material = CAST(:material AS jsonb) WHERE id = :id"
)

# The key canary: a known text encrypted under the key in use, so a wrong key is caught before it
# writes anything (`doctor` reads it; rotation locks and replaces it).
CANARY_TABLE_EXISTS = Sql("SELECT to_regclass('secret_key_canaries') IS NOT NULL")
KEY_CANARY = Sql("SELECT fingerprint, material FROM secret_key_canaries WHERE id = :id")
KEY_CANARY_FOR_UPDATE = Sql("SELECT fingerprint, material FROM secret_key_canaries WHERE id = :id FOR UPDATE")
UPSERT_KEY_CANARY = Sql("""
    INSERT INTO secret_key_canaries (id, fingerprint, material) VALUES (:id, :fp, CAST(:material AS jsonb))
    ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, material = EXCLUDED.material, updated_at = now()
""")

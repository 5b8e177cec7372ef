"""Hand-written SQL of actor resolution (see paperclip.db.rawsql): every authenticated request runs
one of these, so they skip the ORM."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# An X-Paperclip-Run-Id header must name a run that exists.
RUN_EXISTS = Sql("SELECT 1 FROM heartbeat_runs WHERE id = $1")
# A verified run JWT still needs its agent to be active.
AGENT_STATE = Sql("SELECT company_id, status FROM agents WHERE id = $1")
# An agent API key with its agent's status (a terminated agent's key stops working).
AGENT_KEY = Sql("""SELECT k.id, k.agent_id, k.company_id, k.last_used_at, a.status
                   FROM agent_api_keys k JOIN agents a ON a.id = k.agent_id
                   WHERE k.key_hash = $1 AND k.revoked_at IS NULL""")
# A board API key resolved into everything the actor needs (as SESSION_ACTOR for a cookie).
BOARD_KEY = Sql("""
SELECT k.id, k.user_id, k.expires_at, k.last_used_at,
       EXISTS (SELECT 1 FROM instance_user_roles r WHERE r.user_id = k.user_id AND r.role = 'instance_admin') AS is_admin,
       ARRAY(SELECT m.company_id FROM company_memberships m WHERE m.principal_type = 'user'
             AND m.principal_id = k.user_id AND m.status = 'active') AS companies,
       ARRAY(SELECT m.company_id FROM company_memberships m WHERE m.principal_type = 'user'
             AND m.principal_id = k.user_id AND m.status = 'active' AND m.membership_role = 'viewer') AS viewer_companies
FROM board_api_keys k WHERE k.key_hash = $1 AND k.revoked_at IS NULL""")

# One round trip resolves a cookie into everything the actor needs .
SESSION_ACTOR = Sql("""
SELECT s.id, s.user_id, s.expires_at, s.updated_at,
       EXISTS (SELECT 1 FROM instance_user_roles r WHERE r.user_id = s.user_id AND r.role = 'instance_admin') AS is_admin,
       ARRAY(SELECT m.company_id FROM company_memberships m WHERE m.principal_type = 'user'
             AND m.principal_id = s.user_id AND m.status = 'active') AS companies,
       ARRAY(SELECT m.company_id FROM company_memberships m WHERE m.principal_type = 'user'
             AND m.principal_id = s.user_id AND m.status = 'active' AND m.membership_role = 'viewer') AS viewer_companies
FROM auth_sessions s WHERE s.token_hash = $1""")

"""Hand-written SQL of access: sign-in throttling and the first-admin locks (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# Throttle counters ($1 key, $2 now, $3 now - window): a counter whose window has passed starts over.
THROTTLE_STATE = Sql(
    "SELECT key, attempts, window_started_at FROM auth_rate_limits WHERE key = ANY($1::text[])"
)
COUNT_FAILURE = Sql("""
INSERT INTO auth_rate_limits (key, window_started_at, attempts) VALUES ($1, $2, 1)
ON CONFLICT (key) DO UPDATE SET
  attempts = CASE WHEN auth_rate_limits.window_started_at <= $3 THEN 1 ELSE auth_rate_limits.attempts + 1 END,
  window_started_at = CASE WHEN auth_rate_limits.window_started_at <= $3 THEN $2 ELSE auth_rate_limits.window_started_at END
RETURNING attempts""")
CLEAR_THROTTLE = Sql("DELETE FROM auth_rate_limits WHERE key = $1")
# Sign-ups are counted whether they succeed or not (each costs an argon2 hash), one atomic statement.
COUNT_SIGN_UP = Sql("""
INSERT INTO auth_rate_limits (key, window_started_at, attempts) VALUES ($1, $2, 1)
ON CONFLICT (key) DO UPDATE SET
  attempts = CASE WHEN auth_rate_limits.window_started_at <= $3 THEN 1 ELSE auth_rate_limits.attempts + 1 END,
  window_started_at = CASE WHEN auth_rate_limits.window_started_at <= $3 THEN $2 ELSE auth_rate_limits.window_started_at END
RETURNING attempts, window_started_at""")

# One decision at a time about the first admin: the bootstrap claim and the automatic bootstrap invite
# at start-up (replicas may start together) take the same lock.
BOOTSTRAP_LOCK = Sql("SELECT pg_advisory_xact_lock(4242002)")
# Creating the env's admin (PAPERCLIP_ADMIN_EMAIL) at start-up, one replica at a time.
ENV_ADMIN_LOCK = Sql("SELECT pg_advisory_xact_lock(4242001)")

"""Hand-written SQL of the metrics scrape (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The heartbeat queue and budget stops across every replica, one round trip.
HEARTBEAT_FACTS = Sql("""
    SELECT
      (SELECT count(*) FROM heartbeat_runs WHERE status = 'queued') AS queued,
      (SELECT extract(epoch FROM now() - min(created_at)) FROM heartbeat_runs WHERE status = 'queued') AS oldest,
      (SELECT count(*) FROM heartbeat_runs WHERE status = 'running') AS running,
      (SELECT count(*) FROM budget_incidents WHERE threshold_type = 'hard') AS hard_stops
""")
# Connections to this database by state (every process and replica).
CONNECTIONS_BY_STATE = Sql("""
    SELECT coalesce(state, 'unknown') AS state, count(*) AS n FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend' GROUP BY 1
""")

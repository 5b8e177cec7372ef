"""The heartbeat runtime's hand-written statements (paperclip.db.rawsql): wake-up targets and
admission, the runner's claim candidates and watch, the scheduler's timer candidates, deferred
wake-ups to promote, the reaper's runner check and the live-runs widget. The statements that write
`heartbeat_runs` are in `paperclip.runs.queries`; the lock order is in heartbeat/README.md.
"""

from __future__ import annotations

from paperclip.db.rawsql import Sql
from paperclip.vocabulary import AGENT_NOT_INVOKABLE, RUN_LIVE, sql_in

# ---------------------------------------------------------------- wake-ups (wakeups.py)

_WAKE_TARGET = """SELECT {lock}a.id, a.company_id, a.status, a.pause_reason, a.runtime_config, c.status AS company_status
  FROM agents a JOIN companies c ON c.id = a.company_id
 WHERE a.id = $1{company}"""


def _wake_target(lock: bool, scoped: bool) -> Sql:
    return Sql(
        _WAKE_TARGET.format(
            lock="pg_advisory_xact_lock($3) AS locked, " if lock else "",
            company=" AND a.company_id = $2" if scoped else " AND $2::uuid IS NULL",
        )
    )


# Every wake-up starts here: the agent and its company's status, (lock) under the agent's wake-up
# advisory lock, (scoped) in the given company; one statement per shape: (lock, scoped) → statement.
WAKE_TARGETS = {
    (lock, scoped): _wake_target(lock, scoped) for lock in (True, False) for scoped in (True, False)
}

# Wake-up admission: the project of the issue a wake concerns, share-locked so that a pause being
# committed is waited for and its paused_at read (the pause's transaction never waits for a wake-up
# lock, so this wait cannot deadlock). No row: the issue has no project (or does not exist).
ISSUE_PROJECT_FOR_WAKE = Sql("""
    SELECT p.id, p.paused_at IS NOT NULL AS paused, p.pause_reason
      FROM issues i JOIN projects p ON p.id = i.project_id
     WHERE i.id = $1
       FOR SHARE OF p
""")

# Coalescing: the agent's oldest queued run of the same task, locked (its context is merged into it).
QUEUED_RUN_OF_TASK = Sql("""
    SELECT id, context_snapshot, wakeup_request_id FROM heartbeat_runs
    WHERE agent_id = :agent_id AND status = 'queued' AND (context_snapshot ->> 'taskKey') = :task_key
    ORDER BY created_at LIMIT 1
    FOR NO KEY UPDATE
""")

# Deferral: the live run holding the issue's execution lock, and its agent (no row: not locked).
ISSUE_EXECUTION_LOCK = Sql(f"""
    SELECT i.execution_run_id, r.agent_id
    FROM issues i JOIN heartbeat_runs r ON r.id = i.execution_run_id
    WHERE i.id = :issue_id AND r.status IN ({sql_in(RUN_LIVE)})
""")

# ---------------------------------------------------------------- the runner's claim (runs.py)

# Agents with queued runs that may run now, locked for the claim; those another claimer holds are
# skipped (counted by WAITING_AGENTS, so the claimer retries soon).
CLAIM_CANDIDATES = Sql(f"""
    SELECT a.id, a.name, a.adapter_type, a.adapter_config, a.runtime_config -> 'heartbeat' AS heartbeat
    FROM agents a JOIN companies c ON c.id = a.company_id
    WHERE a.id IN (SELECT q.agent_id FROM heartbeat_runs q WHERE q.status = 'queued')
      AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
    LIMIT :limit
    FOR NO KEY UPDATE OF a SKIP LOCKED
""")
WAITING_AGENTS = Sql(f"""
    SELECT count(DISTINCT q.agent_id) FROM heartbeat_runs q JOIN agents a ON a.id = q.agent_id
    JOIN companies c ON c.id = a.company_id
    WHERE q.status = 'queued' AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
""")

# The same candidates among agents this transaction has locked already (lifecycle.lock_agents).
LOCKED_CLAIM_CANDIDATES = Sql(f"""
    SELECT a.id, a.name, a.adapter_type, a.adapter_config, a.runtime_config -> 'heartbeat' AS heartbeat
    FROM agents a JOIN companies c ON c.id = a.company_id
    WHERE a.id = ANY(CAST(:ids AS uuid[]))
      AND a.id IN (SELECT q.agent_id FROM heartbeat_runs q WHERE q.status = 'queued' AND q.agent_id = ANY(CAST(:ids AS uuid[])))
      AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
""")

# Deferred wake-ups whose issue no live run holds any more (promote_deferred), locked, skipping
# those another transaction is promoting.
DEFERRED_TO_PROMOTE = Sql(f"""
    SELECT w.id, w.company_id, w.agent_id, w.source, w.trigger_detail, w.payload, a.status AS agent_status
    FROM agent_wakeup_requests w
    JOIN agents a ON a.id = w.agent_id
    LEFT JOIN issues i ON i.id = (w.payload -> 'contextSnapshot' ->> 'issueId')::uuid
    WHERE w.status = 'deferred_issue_execution'
      AND NOT EXISTS (SELECT 1 FROM heartbeat_runs r WHERE r.id = i.execution_run_id AND r.status IN ({sql_in(RUN_LIVE)}))
    ORDER BY w.requested_at
    LIMIT 500
    FOR UPDATE OF w SKIP LOCKED
""")

# ---------------------------------------------------------------- the runner's watch (dispatch.py)

# Runs in flight that are no longer running (cancelled): one array parameter, one prepared
# statement however many runs are in flight.
RUNS_STOPPED = Sql(
    "SELECT id FROM heartbeat_runs WHERE id = ANY(CAST(:ids AS uuid[])) AND status <> 'running'"
)

# ---------------------------------------------------------------- the scheduler (timer_wakes.py)

# Agents that may be due: the SQL only narrows (timers on, not woken in the last minimum interval,
# no timer wake already queued); timers.is_due decides.
TIMER_CANDIDATES = Sql(f"""
    SELECT a.id, a.company_id, a.status, c.status AS company_status, (a.runtime_config -> 'heartbeat')::text AS heartbeat,
           a.last_heartbeat_at, a.created_at
    FROM agents a JOIN companies c ON c.id = a.company_id
    WHERE a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
      AND a.runtime_config -> 'heartbeat' ? 'intervalSec'
      AND coalesce(a.last_heartbeat_at, a.created_at) <= :earliest
      AND a.id NOT IN (SELECT q.agent_id FROM heartbeat_runs q WHERE q.status = 'queued'
                       AND q.context_snapshot ->> 'taskKey' = :task_key)
""")

# ---------------------------------------------------------------- the reaper (reaper.py)

# Runners listening right now: their connections' application names (`pattern`: the runners' prefix).
RUNNER_CONNECTIONS = Sql("SELECT application_name FROM pg_stat_activity WHERE application_name LIKE :pattern")

# ---------------------------------------------------------------- live runs (live_runs.py, GET: the read pool)

_LIVE_COLUMNS = """r.id, r.company_id, r.status, r.invocation_source, r.trigger_detail, r.started_at, r.finished_at,
       r.created_at, r.agent_id, a.name AS agent_name, a.adapter_type, r.log_bytes, r.process_started_at,
       r.context_snapshot"""
# A company's runs in the statuses $2, newest first.
LIVE_RUNS = Sql(f"""SELECT {_LIVE_COLUMNS} FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
 WHERE r.company_id = $1 AND r.status = ANY($2::text[]) ORDER BY r.created_at DESC LIMIT $3""")
# A company's runs in other statuses than $2 (the padding of a quiet company's list), newest first.
RECENT_RUNS = Sql(f"""SELECT {_LIVE_COLUMNS} FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
 WHERE r.company_id = $1 AND NOT (r.status = ANY($2::text[])) ORDER BY r.created_at DESC LIMIT $3""")
ISSUE_ID_BY_IDENTIFIER = Sql("SELECT id FROM issues WHERE identifier = $1")

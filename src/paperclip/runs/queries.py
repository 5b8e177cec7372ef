"""The hand-written statements of a run's lifecycle: every write to `heartbeat_runs` (enqueue, coalesce,
claim, hand back, process record, end, cancel) and the reads that go with them. `lifecycle.py` runs
them in the lock order (heartbeat/README.md); heartbeat/ runs the enqueue statements itself.

Each statement that changes `heartbeat_runs.status` guards the old status in its WHERE;
tests/heartbeat/test_run_transitions.py reads them here and checks them against
`paperclip.runs.transitions`.
"""

from __future__ import annotations

from paperclip.db.rawsql import Sql
from paperclip.runs.transitions import BUDGET_BLOCKED, PROJECT_BUDGET_STOPPED, PROJECT_PAUSED
from paperclip.vocabulary import AGENT_NOT_INVOKABLE, WAKEUP_PENDING, sql_in

# A context snapshot's `issueId` as a uuid, or NULL when it is missing or not a uuid.
UUID_TEXT_RE = "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"


def snapshot_issue_id_sql(snapshot: str) -> str:
    """SQL: the issue id in the jsonb context snapshot expression `snapshot` (NULL if absent/malformed)."""
    value = f"({snapshot} ->> 'issueId')"
    return f"(CASE WHEN {value} ~ '{UUID_TEXT_RE}' THEN CAST({value} AS uuid) END)"


# ---------------------------------------------------------------- the lock order

# Agent rows, sorted (lifecycle.lock_agents): one array parameter, the same prepared statement for
# any number of agents.
LOCK_AGENTS = Sql("SELECT id FROM agents WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR NO KEY UPDATE")

# The queued wake-up request and its run, and the NOTIFY that starts it, in one round trip
# (heartbeat/wakeups.py `request_wakeup`, after its admission, coalescing and deferral).
# ---------------------------------------------------------------- enqueue: (new) → queued

QUEUE_WAKEUP = Sql("""
    WITH req AS (
        INSERT INTO agent_wakeup_requests (id, company_id, agent_id, source, trigger_detail, reason, payload, status,
            requested_by_actor_type, requested_by_actor_id, idempotency_key, run_id, requested_at, created_at, updated_at)
        VALUES ($1, $3, $4, $5, $6, $7, CAST($8::text AS jsonb), 'queued', $9, $10, $11, $2, $12, $12, $12)
    ), run AS (
        INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, trigger_detail, status, wakeup_request_id,
            context_snapshot, created_at, updated_at)
        VALUES ($2, $3, $4, $5, $6, 'queued', $1, CAST($13::text AS jsonb), $12, $12)
        RETURNING *
    )
    SELECT run.*, pg_notify($14, $15) AS notified FROM run
""")

# A plain on-demand wake-up (no idempotency key, payload or task: nothing to coalesce, deduplicate or
# defer) as ONE statement, which is atomic by itself: admission, the queued request and run, the
# activity entry and the NOTIFY. It writes only for an agent the actor may see that is invokable,
# in an active company, with no on-demand policy flag set; anything else writes nothing and returns
# no row, and the caller takes the general path, which answers 404/403/409/skipped exactly.
# It carries no issue (a wake-up with a payload or context never comes here), so a project's budget
# stop has nothing to block on this path: such wake-ups take the general path and its admission.
# FOR SHARE: a pause, termination or budget stop being committed (they lock the agent row, then
# cancel its queued runs) is waited for and its status re-read, so no run is queued behind its back.
# The statement holds no other lock when it waits (no lock-order cycle with the runner).
QUEUE_ON_DEMAND = Sql(f"""
    WITH target AS (
        SELECT a.id, a.company_id FROM agents a JOIN companies c ON c.id = a.company_id
        WHERE a.id = $1::uuid AND ($2::uuid[] IS NULL OR a.company_id = ANY($2::uuid[]))
          AND a.status NOT IN ({sql_in(AGENT_NOT_INVOKABLE)}) AND c.status = 'active'
          AND NOT (coalesce(a.runtime_config -> 'heartbeat', '{{}}'::jsonb) ?| ARRAY['wakeOnOnDemand', 'wakeOnDemand'])
        FOR SHARE OF a
    ), req AS (
        INSERT INTO agent_wakeup_requests (id, company_id, agent_id, source, trigger_detail, reason, status,
            requested_by_actor_type, requested_by_actor_id, run_id, requested_at, created_at, updated_at)
        SELECT $3::uuid, t.company_id, t.id, $5::text, $6::text, $7::text, 'queued', $8::text, $9::text, $4::uuid,
               $10::timestamptz, $10::timestamptz, $10::timestamptz
        FROM target t
    ), run AS (
        INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, trigger_detail, status,
            wakeup_request_id, context_snapshot, created_at, updated_at)
        SELECT $4::uuid, t.company_id, t.id, $5::text, $6::text, 'queued', $3::uuid, CAST($11::text AS jsonb),
               $10::timestamptz, $10::timestamptz
        FROM target t
        RETURNING *
    ), act AS (
        INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id,
            details, created_at)
        SELECT company_id, $8::text, $9::text, 'heartbeat.invoked', 'agent', $1::text, $12::uuid, $13::uuid,
               CAST($14::text AS jsonb), clock_timestamp()
        FROM run
    )
    SELECT run.*, pg_notify($15::text, $1::text) AS notified FROM run
""")

# Every due agent's timer wake-up request and run in one statement (heartbeat/timer_wakes.py; the
# timer snapshot is the same for all); their ids are drawn by the database (the CTE is
# materialised: each row's ids are drawn once).
QUEUE_TIMER_WAKEUPS = Sql("""
    WITH due AS MATERIALIZED (
        SELECT t.agent_id, t.company_id, gen_random_uuid() AS request_id, gen_random_uuid() AS run_id
        FROM unnest(CAST(:agents AS uuid[]), CAST(:companies AS uuid[])) AS t(agent_id, company_id)
    ), req AS (
        INSERT INTO agent_wakeup_requests (id, company_id, agent_id, source, trigger_detail, reason, status,
            requested_by_actor_type, requested_by_actor_id, run_id, requested_at, created_at, updated_at)
        SELECT request_id, company_id, agent_id, 'timer', 'system', 'heartbeat_timer', 'queued', 'system',
               'heartbeat_scheduler', run_id, :now, :now, :now FROM due
    )
    INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, trigger_detail, status, wakeup_request_id,
                                context_snapshot, created_at, updated_at)
    SELECT run_id, company_id, agent_id, 'timer', 'system', 'queued', request_id, CAST(:snap AS jsonb), :now, :now FROM due
""")

# A deferred wake-up's run, when its issue was released (heartbeat/runs.py `promote_deferred`).
QUEUE_PROMOTED = Sql("""
    INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, trigger_detail, status, wakeup_request_id,
                                context_snapshot, created_at, updated_at)
    VALUES (:id, :company_id, :agent_id, :source, :trigger_detail, 'queued', :request_id, CAST(:snapshot AS jsonb),
            :now, :now)
""")

# ---------------------------------------------------------------- coalesce: queued → queued

MERGE_INTO_QUEUED = Sql("""
    UPDATE heartbeat_runs SET context_snapshot = CAST(:snapshot AS jsonb), updated_at = :now
    WHERE id = :id AND status = 'queued'
""")

# ---------------------------------------------------------------- claim: queued → running | cancelled

# One statement: per locked agent, the oldest queued runs (on_demand first) up to its free slots
# become running; their wake-up requests are claimed, the agents marked running, "run started" logged.
# A queued run about an issue of a paused project (§8.3 budget block) is cancelled instead, with its
# wake-up request: it was queued before the pause, or promoted from a deferred wake-up after it.
CLAIM = Sql(
    """
    WITH cand AS (
        SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:slots AS int[])) AS t(agent_id, max_runs)
    ), busy AS (
        SELECT agent_id, count(*) AS n FROM heartbeat_runs
        WHERE status = 'running' AND agent_id = ANY(CAST(:ids AS uuid[])) GROUP BY agent_id
    ), queued AS (
        SELECT q.id, q.agent_id, q.invocation_source, q.created_at,
               (SELECT coalesce(p.pause_reason, '') FROM issues i JOIN projects p ON p.id = i.project_id
                 WHERE i.id = {issue_id} AND p.paused_at IS NOT NULL) AS project_paused
        FROM heartbeat_runs q WHERE q.status = 'queued' AND q.agent_id = ANY(CAST(:ids AS uuid[]))
    ), ranked AS (
        SELECT q.id, q.agent_id, row_number() OVER (
            PARTITION BY q.agent_id
            ORDER BY CASE q.invocation_source WHEN 'on_demand' THEN 0 WHEN 'assignment' THEN 1 ELSE 2 END, q.created_at
        ) AS rn
        FROM queued q WHERE q.project_paused IS NULL
    ), pick AS (
        SELECT r.id FROM ranked r JOIN cand c ON c.agent_id = r.agent_id LEFT JOIN busy b ON b.agent_id = r.agent_id
        WHERE r.rn <= c.max_runs - coalesce(b.n, 0)
    ), blocked AS (
        UPDATE heartbeat_runs h SET status = 'cancelled', finished_at = :now, updated_at = :now,
            error = CASE q.project_paused WHEN 'budget' THEN '{budget_stopped}' ELSE '{paused}' END,
            error_code = CASE q.project_paused WHEN 'budget' THEN '{budget_blocked}' ELSE 'cancelled' END
        FROM queued q WHERE h.id = q.id AND q.project_paused IS NOT NULL AND h.status = 'queued'
        RETURNING h.wakeup_request_id, h.error
    ), blocked_req AS (
        UPDATE agent_wakeup_requests w SET status = 'cancelled', finished_at = :now, error = b.error, updated_at = :now
        FROM blocked b WHERE w.id = b.wakeup_request_id
    ), upd AS (
        UPDATE heartbeat_runs h SET status = 'running', started_at = :now, runner_id = :runner, updated_at = :now
        FROM pick WHERE h.id = pick.id AND h.status = 'queued'
        RETURNING h.id, h.company_id, h.agent_id, h.context_snapshot, h.wakeup_request_id, h.invocation_source
    ), req AS (
        UPDATE agent_wakeup_requests w SET status = 'claimed', claimed_at = :now, updated_at = :now
        FROM upd WHERE w.id = upd.wakeup_request_id
    ), ag AS (
        UPDATE agents a SET status = 'running', updated_at = :now WHERE a.id IN (SELECT agent_id FROM upd)
    ), ev AS (
        INSERT INTO heartbeat_run_events (company_id, run_id, agent_id, seq, event_type, stream, level, message, created_at)
        SELECT company_id, id, agent_id, 1, 'lifecycle', 'system', 'info', 'run started', :now FROM upd
    )
    SELECT * FROM upd
""".format(
        issue_id=snapshot_issue_id_sql("q.context_snapshot"),
        budget_stopped=PROJECT_BUDGET_STOPPED,
        paused=PROJECT_PAUSED,
        budget_blocked=BUDGET_BLOCKED,
    )
)

# ---------------------------------------------------------------- hand back: running → queued

# Runs a stopping runner claimed but never started (no process recorded): queued again as if never
# claimed — their "run started" event and the wake-up request's claim undone, the agent idle unless
# it runs others — so another replica, or this one's next start, claims them.
HAND_BACK = Sql("""
    WITH back AS (
        UPDATE heartbeat_runs h SET status = 'queued', started_at = NULL, runner_id = NULL, updated_at = :now
        WHERE h.id = ANY(CAST(:ids AS uuid[])) AND h.status = 'running' AND h.runner_id = :runner
          AND h.process_pid IS NULL
        RETURNING h.id, h.agent_id, h.wakeup_request_id
    ), ev AS (
        DELETE FROM heartbeat_run_events e USING back WHERE e.run_id = back.id
    ), req AS (
        UPDATE agent_wakeup_requests w SET status = 'queued', claimed_at = NULL, updated_at = :now
        FROM back WHERE w.id = back.wakeup_request_id AND w.status = 'claimed'
    ), ag AS (
        UPDATE agents a SET status = 'idle', updated_at = :now
        WHERE a.id IN (SELECT agent_id FROM back) AND a.status = 'running' AND NOT EXISTS (
            SELECT 1 FROM heartbeat_runs o WHERE o.agent_id = a.id AND o.status = 'running'
              AND o.id <> ALL(CAST(:ids AS uuid[])))
    )
    SELECT id FROM back
""")

# ---------------------------------------------------------------- process record (status unchanged)

# The agent processes' pids and start times (crash recovery finds them by these) and their
# "adapter invocation" events, for a batch of runs in one statement.
RECORD_PROCESSES = Sql("""
    WITH inp AS (
        SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:companies AS uuid[]), CAST(:agents AS uuid[]),
                             CAST(:pids AS int[]), CAST(:ticks AS text[]), CAST(:payloads AS text[]))
                 AS t(run_id, company_id, agent_id, pid, ticks, payload)
    ), upd AS (
        UPDATE heartbeat_runs h SET process_pid = i.pid, process_started_at = i.ticks FROM inp i WHERE h.id = i.run_id
    )
    INSERT INTO heartbeat_run_events (company_id, run_id, agent_id, seq, event_type, stream, level, message, payload,
                                      created_at)
    SELECT i.company_id, i.run_id, i.agent_id,
           (SELECT coalesce(max(e.seq), 0) + 1 FROM heartbeat_run_events e WHERE e.run_id = i.run_id),
           'adapter.invoke', 'system', 'info', 'adapter invocation', CAST(i.payload AS jsonb), :now
    FROM inp i
""")

# ---------------------------------------------------------------- end: running → succeeded | failed | timed_out | cancelled

# "A run ended", the only implementation (core §5.4): the runs' rows, their wake-up requests, the
# closing events, compare-and-clear of issue locks, the agents' status and (`:record_state`) their
# runtime totals, for a batch of runs in one statement (one input row per run). It runs right
# after the agent rows are locked, so "no other run of this agent is still running" is read with
# every committed run in view. Several runs of one agent in a batch: the agent's status and runtime
# state follow the last of them (as if ended one after another), tokens add up. A run that is no
# longer running (cancelled meanwhile) keeps its status but still gets its log, excerpts and exit code.
END_RUNS = Sql("""
    WITH inp AS (
        SELECT * FROM unnest(
            CAST(:ids AS uuid[]), CAST(:requests AS uuid[]), CAST(:companies AS uuid[]), CAST(:agents AS uuid[]),
            CAST(:statuses AS text[]), CAST(:errors AS text[]), CAST(:error_codes AS text[]), CAST(:exit_codes AS int[]),
            CAST(:signals AS text[]), CAST(:results AS text[]), CAST(:usages AS text[]), CAST(:stdouts AS text[]),
            CAST(:stderrs AS text[]), CAST(:log_stores AS text[]), CAST(:log_refs AS text[]),
            CAST(:log_bytes AS bigint[]), CAST(:log_shas AS text[]), CAST(:sessions_before AS text[]),
            CAST(:sessions_after AS text[]), CAST(:externals AS text[]), CAST(:extras AS text[]),
            CAST(:adapter_types AS text[]), CAST(:input_tokens AS bigint[]), CAST(:output_tokens AS bigint[]),
            CAST(:cached_tokens AS bigint[]), CAST(:cost_cents AS bigint[])
        ) WITH ORDINALITY AS t(run_id, request_id, company_id, agent_id, status, error, error_code, exit_code, signal,
                               result, usage, stdout, stderr, log_store, log_ref, log_bytes, log_sha256,
                               session_before, session_after, external, extra, adapter_type, input_tokens,
                               output_tokens, cached_tokens, cost_cents, ord)
    ), fin AS (
        UPDATE heartbeat_runs h SET
            status = CASE WHEN h.status = 'running' THEN i.status ELSE h.status END,
            error = CASE WHEN h.status = 'running' THEN i.error ELSE h.error END,
            error_code = CASE WHEN h.status = 'running' THEN i.error_code ELSE h.error_code END,
            finished_at = CASE WHEN h.status = 'running' THEN :now ELSE coalesce(h.finished_at, :now) END,
            exit_code = i.exit_code, signal = i.signal, result_json = CAST(i.result AS jsonb),
            usage_json = CAST(i.usage AS jsonb), stdout_excerpt = i.stdout, stderr_excerpt = i.stderr,
            log_store = i.log_store, log_ref = i.log_ref, log_bytes = i.log_bytes, log_sha256 = i.log_sha256,
            session_id_before = i.session_before, session_id_after = i.session_after, external_run_id = i.external,
            updated_at = :now
        FROM inp i WHERE h.id = i.run_id
        RETURNING h.id, h.status
    ), done AS (
        SELECT i.*, fin.status AS final FROM inp i JOIN fin ON fin.id = i.run_id
    ), req AS (
        UPDATE agent_wakeup_requests w SET
            status = CASE d.final WHEN 'succeeded' THEN 'completed' WHEN 'cancelled' THEN 'cancelled' ELSE 'failed' END,
            finished_at = :now, updated_at = :now,
            error = CASE WHEN d.final = 'succeeded' THEN NULL ELSE d.error END
        FROM done d WHERE w.id = d.request_id
    ), ev AS (
        INSERT INTO heartbeat_run_events (company_id, run_id, agent_id, seq, event_type, stream, level, message, payload,
                                          created_at)
        SELECT d.company_id, d.run_id, d.agent_id,
               (SELECT coalesce(max(e.seq), 0) + 1 FROM heartbeat_run_events e WHERE e.run_id = d.run_id),
               'lifecycle', 'system',
               CASE d.final WHEN 'succeeded' THEN 'info' WHEN 'cancelled' THEN 'warn' ELSE 'error' END,
               'run ' || d.final, jsonb_build_object('status', d.final) || CAST(d.extra AS jsonb), :now
        FROM done d
    ), locks AS (
        UPDATE issues SET
            checkout_run_id = CASE WHEN checkout_run_id = ANY(CAST(:ids AS uuid[])) THEN NULL ELSE checkout_run_id END,
            execution_run_id = CASE WHEN execution_run_id = ANY(CAST(:ids AS uuid[])) THEN NULL ELSE execution_run_id END,
            execution_locked_at = CASE WHEN execution_run_id = ANY(CAST(:ids AS uuid[])) THEN NULL
                                       ELSE execution_locked_at END,
            execution_agent_name_key = CASE WHEN execution_run_id = ANY(CAST(:ids AS uuid[])) THEN NULL
                                            ELSE execution_agent_name_key END
        WHERE checkout_run_id = ANY(CAST(:ids AS uuid[])) OR execution_run_id = ANY(CAST(:ids AS uuid[]))
        RETURNING id
    ), last_run AS (
        SELECT DISTINCT ON (agent_id) agent_id, company_id, adapter_type, run_id, final, error
        FROM done ORDER BY agent_id, ord DESC
    ), totals AS (
        SELECT agent_id, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
               sum(cached_tokens) AS cached_tokens, sum(cost_cents) AS cost_cents,
               (array_agg(session_after ORDER BY ord DESC) FILTER (WHERE session_after IS NOT NULL))[1] AS session_after
        FROM done GROUP BY agent_id
    ), agent AS (
        UPDATE agents a SET
            status = CASE WHEN a.status = 'running' AND NOT EXISTS (
                              SELECT 1 FROM heartbeat_runs o WHERE o.agent_id = a.id AND o.status = 'running'
                              AND o.id <> ALL(CAST(:ids AS uuid[])))
                          THEN CASE WHEN l.final IN ('failed', 'timed_out') THEN 'error' ELSE 'idle' END
                          ELSE a.status END,
            last_heartbeat_at = :now, updated_at = :now
        FROM last_run l WHERE a.id = l.agent_id
    ), state AS (
        INSERT INTO agent_runtime_state AS s (agent_id, company_id, adapter_type, session_id, last_run_id, last_run_status,
            total_input_tokens, total_output_tokens, total_cached_input_tokens, total_cost_cents, last_error,
            created_at, updated_at)
        SELECT l.agent_id, l.company_id, l.adapter_type, t.session_after, l.run_id, l.final, t.input_tokens,
               t.output_tokens, t.cached_tokens, t.cost_cents, CASE WHEN l.final = 'succeeded' THEN NULL ELSE l.error END,
               :now, :now
        FROM last_run l JOIN totals t ON t.agent_id = l.agent_id
        WHERE CAST(:record_state AS boolean)
        ON CONFLICT (agent_id) DO UPDATE SET
            adapter_type = EXCLUDED.adapter_type, last_run_id = EXCLUDED.last_run_id,
            last_run_status = EXCLUDED.last_run_status, session_id = coalesce(EXCLUDED.session_id, s.session_id),
            total_input_tokens = s.total_input_tokens + EXCLUDED.total_input_tokens,
            total_output_tokens = s.total_output_tokens + EXCLUDED.total_output_tokens,
            total_cached_input_tokens = s.total_cached_input_tokens + EXCLUDED.total_cached_input_tokens,
            total_cost_cents = s.total_cost_cents + EXCLUDED.total_cost_cents,
            last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
    )
    SELECT d.run_id AS id, d.final AS status, (SELECT count(*) FROM locks) AS released FROM done d
""")

# Lost runs (lifecycle.fail_running): those of the ids still running, and their agents.
RUNNING_AMONG = Sql("""
    SELECT id, company_id, agent_id, wakeup_request_id FROM heartbeat_runs
    WHERE id = ANY(CAST(:ids AS uuid[])) AND status = 'running'
""")

AGENTS_OF_RUNS = Sql("SELECT DISTINCT agent_id FROM heartbeat_runs WHERE id = ANY(CAST(:ids AS uuid[]))")

# ---------------------------------------------------------------- cancel: queued | running → cancelled

CANCEL_AGENT_REQUESTS = Sql(f"""
    UPDATE agent_wakeup_requests SET status = 'cancelled', finished_at = :now, error = :reason
    WHERE agent_id = :agent AND status IN ({sql_in(WAKEUP_PENDING)})
""")

CANCEL_AGENT_QUEUED = Sql("""
    UPDATE heartbeat_runs SET status = 'cancelled', finished_at = :now, error = :reason, error_code = :code,
        updated_at = :now
    WHERE agent_id = :agent AND status = 'queued'
""")

CANCEL_AGENT_RUNNING = Sql("""
    UPDATE heartbeat_runs SET status = 'cancelled', finished_at = :now, error = :reason, error_code = :code,
        updated_at = :now
    WHERE agent_id = :agent AND status = 'running'
    RETURNING id
""")

# A company's agents, skipping those locked right now (a budget stop; see lifecycle.cancel_company_work).
LOCK_COMPANY_AGENTS = Sql("""
    SELECT id FROM agents WHERE company_id = :company AND status <> 'terminated'
    ORDER BY id FOR NO KEY UPDATE SKIP LOCKED
""")

# One run (POST /heartbeat-runs/:id/cancel): the status it had, no row when it was not live.
CANCEL_RUN = Sql("""
    WITH old AS (
        SELECT id, status AS was, wakeup_request_id FROM heartbeat_runs WHERE id = :id
    ), run AS (
        UPDATE heartbeat_runs h SET status = 'cancelled', error = :message, error_code = 'cancelled',
            finished_at = :now, updated_at = :now
        FROM old WHERE h.id = old.id AND h.status IN ('queued', 'running')
        RETURNING h.id
    ), req AS (
        UPDATE agent_wakeup_requests w SET status = 'cancelled', finished_at = :now, error = :message
        FROM old WHERE w.id = old.wakeup_request_id AND old.was = 'queued' AND EXISTS (SELECT 1 FROM run)
    )
    SELECT old.was FROM old JOIN run ON run.id = old.id
""")

# ---------------------------------------------------------------- recovery actions of runs that ended without success

# A recovery action (recovery_actions.open_for_ended_runs) per in-progress issue a run ending without
# success held; :kind and :cause are recovery_actions.KIND and CAUSE.
OPEN_RECOVERY_ACTIONS = Sql("""
    INSERT INTO issue_recovery_actions (
        company_id, source_issue_id, run_id, kind, status, owner_type, return_owner_agent_id, cause,
        fingerprint, evidence, next_action, attempt_count, max_attempts, last_attempt_at, created_at, updated_at)
    SELECT i.company_id, i.id, r.id, CAST(:kind AS text), 'active', 'board', r.agent_id, CAST(:cause AS text),
           'legacy-execution:' || r.id::text,
           jsonb_build_object('runId', r.id, 'attempt', 1, 'adapterRecovery', 'unsupported_or_unknown',
                              'originalFailureCode',
                              coalesce(CASE WHEN r.status <> 'running' THEN r.error_code END, inp.error_code)),
           :next_action, 1, 3, :now, :now, :now
    FROM unnest(CAST(:ids AS uuid[]), CAST(:codes AS text[])) AS inp(run_id, error_code)
    JOIN heartbeat_runs r ON r.id = inp.run_id AND r.status <> 'succeeded'
    JOIN issues i ON i.company_id = r.company_id AND i.status = 'in_progress'
                 AND (i.checkout_run_id = inp.run_id OR i.execution_run_id = inp.run_id)
    ORDER BY i.id
    ON CONFLICT DO NOTHING
""")

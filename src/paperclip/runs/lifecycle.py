"""Every write to `heartbeat_runs`, in one module: enqueue, coalesce, claim, process record, end
(finish or fail), cancel. The transitions are those of `paperclip.runs.transitions`; each statement
guards the old status in its WHERE (tests/heartbeat/test_run_transitions.py checks them all, and
that no other module writes this table).

Lock order (heartbeat/README.md): agent rows first (`lock_agents`, sorted by id), then their runs,
then issues. Claims, ending, failing, process records and an agent's cancellation all follow it.

The callers stay where their logic is (heartbeat/wakeups.py decides admission and coalescing,
heartbeat/runs.py picks the agents to claim for, heartbeat/finalize.py builds outcomes and records
sessions and costs); this module holds the statements and runs them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.rawsql import Sql
from paperclip.runqueue import CANCEL_CHANNEL, WAKE_CHANNEL, notify
from paperclip.runs.recovery_actions import open_for_ended_runs
from paperclip.runs.transitions import ENDINGS
from paperclip.vocabulary import AGENT_NOT_INVOKABLE, WAKEUP_PENDING, sql_in

# ---------------------------------------------------------------- why a run was cancelled

BUDGET_BLOCKED = "budget_blocked"  # heartbeat_runs.error_code of a run a budget stop cancelled
PROJECT_PAUSED = "Project is paused"
PROJECT_BUDGET_STOPPED = "Project is paused because its budget hard-stop was reached"

# A context snapshot's `issueId` as a uuid, or NULL when it is missing or not a uuid.
UUID_TEXT_RE = "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"


def snapshot_issue_id_sql(snapshot: str) -> str:
    """SQL: the issue id in the jsonb context snapshot expression `snapshot` (NULL if absent/malformed)."""
    value = f"({snapshot} ->> 'issueId')"
    return f"(CASE WHEN {value} ~ '{UUID_TEXT_RE}' THEN CAST({value} AS uuid) END)"


# ---------------------------------------------------------------- the lock order

_LOCK_AGENTS = sa.text(
    "SELECT id FROM agents WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR NO KEY UPDATE"
)


async def lock_agents(session: AsyncSession, agent_ids: Iterable[uuid.UUID]) -> None:
    """Row locks on agents, always taken before a run row is changed (claims, ending, reaping and
    cancellation all lock in this order), so an agent's status is decided with every committed run
    in view and the lock order never deadlocks."""
    ids = sorted(set(agent_ids))
    if ids:  # one array parameter: the same prepared statement for any number of agents
        await session.execute(_LOCK_AGENTS, {"ids": ids})


# ---------------------------------------------------------------- enqueue: (new) → queued

# The queued wake-up request and its run, and the NOTIFY that starts it, in one round trip
# (heartbeat/wakeups.py `request_wakeup`, after its admission, coalescing and deferral).
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
QUEUE_TIMER_WAKEUPS = sa.text("""
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

_QUEUE_PROMOTED = sa.text("""
    INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, trigger_detail, status, wakeup_request_id,
                                context_snapshot, created_at, updated_at)
    VALUES (:id, :company_id, :agent_id, :source, :trigger_detail, 'queued', :request_id, CAST(:snapshot AS jsonb),
            :now, :now)
""")


async def queue_promoted(
    session: AsyncSession,
    *,
    run_id: uuid.UUID,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    source: str,
    trigger_detail: str | None,
    request_id: uuid.UUID,
    snapshot: dict[str, Any],
    now: datetime,
) -> None:
    """The queued run of a deferred wake-up whose issue was released (heartbeat/runs.py `promote_deferred`)."""
    await session.execute(
        _QUEUE_PROMOTED,
        {
            "id": run_id,
            "company_id": company_id,
            "agent_id": agent_id,
            "source": source,
            "trigger_detail": trigger_detail,
            "request_id": request_id,
            "snapshot": json.dumps(snapshot),
            "now": now,
        },
    )


# ---------------------------------------------------------------- coalesce: queued → queued

_MERGE_INTO_QUEUED = sa.text("""
    UPDATE heartbeat_runs SET context_snapshot = CAST(:snapshot AS jsonb), updated_at = :now
    WHERE id = :id AND status = 'queued'
""")


async def merge_into_queued(
    session: AsyncSession, run_id: uuid.UUID, snapshot: dict[str, Any], *, now: datetime
) -> bool:
    """A wake-up coalesced into a still-queued run: its merged context. False when the run left the
    queue meanwhile (the wake-up then queues a run of its own)."""
    result = await session.execute(
        _MERGE_INTO_QUEUED, {"id": run_id, "snapshot": json.dumps(snapshot), "now": now}
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- claim: queued → running | cancelled

# One statement: per locked agent, the oldest queued runs (on_demand first) up to its free slots
# become running; their wake-up requests are claimed, the agents marked running, "run started" logged.
# A queued run about an issue of a paused project (§8.3 budget block) is cancelled instead, with its
# wake-up request: it was queued before the pause, or promoted from a deferred wake-up after it.
_CLAIM = sa.text(
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


async def claim(
    session: AsyncSession, agent_ids: list[uuid.UUID], slots: list[int], *, runner_id: str, now: datetime
) -> list[Any]:
    """Claim queued runs of agents whose rows this transaction has locked, up to `slots` (their
    maxConcurrentRuns) running at once each. Rows: id, company_id, agent_id, context_snapshot,
    wakeup_request_id, invocation_source."""
    return list(
        (
            await session.execute(_CLAIM, {"ids": agent_ids, "slots": slots, "now": now, "runner": runner_id})
        ).all()
    )


# ---------------------------------------------------------------- hand back: running → queued

# Runs a stopping runner claimed but never started (no process recorded): queued again as if never
# claimed — their "run started" event and the wake-up request's claim undone, the agent idle unless
# it runs others — so another replica, or this one's next start, claims them.
_HAND_BACK = sa.text("""
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


async def hand_back(
    session: AsyncSession, runs: Iterable[Any], *, runner_id: str, now: datetime
) -> list[uuid.UUID]:
    """Queue again the claimed, never started runs of a stopping runner (agent rows locked first)
    and wake the other runners; the ids handed back."""
    runs = list(runs)
    if not runs:
        return []
    await lock_agents(session, [r.agent_id for r in runs])
    back = list(
        await session.scalars(_HAND_BACK, {"ids": [r.id for r in runs], "runner": runner_id, "now": now})
    )
    if back:
        await notify(session, WAKE_CHANNEL, "handed_back")
    return back


# ---------------------------------------------------------------- process record (status unchanged)

# The agent processes' pids and start times (crash recovery finds them by these) and their
# "adapter invocation" events, for a batch of runs in one statement.
_PROCESSES = sa.text("""
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


async def record_processes(
    session: AsyncSession,
    items: list[tuple[Any, int, str | None, dict[str, Any]]],
    *,
    now: datetime,
    locked: bool = False,
) -> None:
    """`(run, pid, start ticks, invocation payload)` per run: the agent rows are locked first, like
    every other writer of runs (a pause locks the agent, then its runs)."""
    if not items:
        return
    if not locked:
        await lock_agents(session, [run.agent_id for run, _, _, _ in items])
    await session.execute(
        _PROCESSES,
        {
            "ids": [run.id for run, _, _, _ in items],
            "companies": [run.company_id for run, _, _, _ in items],
            "agents": [run.agent_id for run, _, _, _ in items],
            "pids": [pid for _, pid, _, _ in items],
            "ticks": [ticks for _, _, ticks, _ in items],
            "payloads": [json.dumps({**payload, "pid": pid}) for _, pid, _, payload in items],
            "now": now,
        },
    )


# ---------------------------------------------------------------- end: running → succeeded | failed | timed_out | cancelled

# "A run ended", the only implementation (core §5.4): the runs' rows, their wake-up requests, the
# closing events, compare-and-clear of issue locks, the agents' status and (`:record_state`) their
# runtime totals, for a batch of runs in one statement (one input row per run). It runs right
# after the agent rows are locked, so "no other run of this agent is still running" is read with
# every committed run in view. Several runs of one agent in a batch: the agent's status and runtime
# state follow the last of them (as if ended one after another), tokens add up. A run that is no
# longer running (cancelled meanwhile) keeps its status but still gets its log, excerpts and exit code.
_END_RUNS = sa.text("""
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


class Ending(Protocol):
    """How a run ended (heartbeat/finalize.py's RunOutcome; `Failure` below for a lost run)."""

    status: str
    error: str | None
    error_code: str | None
    exit_code: int | None
    signal: str | None
    usage: Any  # adapters.base.Usage or None
    result_json: dict[str, Any] | None
    stdout_excerpt: str | None
    stderr_excerpt: str | None
    log_store: str | None
    log_ref: str | None
    log_bytes: int | None
    log_sha256: str | None
    session_before: str | None
    session_after: str | None
    external_run_id: str | None
    cost_cents: int


class Failure:
    """A run that ended without an outcome of its own (its process was lost, the server stopped)."""

    exit_code = signal = usage = result_json = stdout_excerpt = stderr_excerpt = None
    log_store = log_ref = log_bytes = log_sha256 = session_before = session_after = external_run_id = None
    cost_cents = 0

    def __init__(self, error_code: str, error: str):
        self.status, self.error_code, self.error = "failed", error_code, error


_COLUMNS = (
    "ids",
    "requests",
    "companies",
    "agents",
    "statuses",
    "errors",
    "error_codes",
    "exit_codes",
    "signals",
    "results",
    "usages",
    "stdouts",
    "stderrs",
    "log_stores",
    "log_refs",
    "log_bytes",
    "log_shas",
    "sessions_before",
    "sessions_after",
    "externals",
    "extras",
    "adapter_types",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_cents",
)


async def end_runs(
    session: AsyncSession,
    items: Sequence[tuple[Any, Ending, str | None]],
    *,
    now: datetime,
    record_state: bool = True,
) -> tuple[dict[uuid.UUID, str], bool]:
    """End runs `(run, ending, adapter_type)` whose agent rows this transaction holds (`lock_agents`).
    Returns each run's final status and whether an issue lock was released (deferred wake-ups may
    then be promoted). `record_state`: add the runs to their agents' runtime state (totals, last
    run); a run failed for a lost process does not."""
    cols: dict[str, list[Any]] = {k: [] for k in _COLUMNS}
    for run, ending, adapter_type in items:
        if ending.status not in ENDINGS:
            raise ValueError(f"a run cannot end as {ending.status!r}")
        usage = ending.usage
        extra: dict[str, Any] = {}
        if ending.exit_code is not None:
            extra["exitCode"] = ending.exit_code
        if ending.error_code:
            extra["errorCode"] = ending.error_code
        for key, value in zip(
            _COLUMNS,
            (
                run.id,
                run.wakeup_request_id,
                run.company_id,
                run.agent_id,
                ending.status,
                ending.error,
                ending.error_code,
                ending.exit_code,
                ending.signal,
                json.dumps(ending.result_json) if ending.result_json is not None else None,
                json.dumps(usage.as_json()) if usage is not None else None,
                ending.stdout_excerpt,
                ending.stderr_excerpt,
                ending.log_store,
                ending.log_ref,
                ending.log_bytes,
                ending.log_sha256,
                ending.session_before,
                ending.session_after,
                ending.external_run_id,
                json.dumps(extra),
                adapter_type,
                usage.input_tokens if usage is not None else 0,
                usage.output_tokens if usage is not None else 0,
                usage.cached_input_tokens if usage is not None else 0,
                ending.cost_cents,
            ),
            strict=True,
        ):
            cols[key].append(value)
    failing = [(run.id, ending.error_code) for run, ending, _ in items if ending.status != "succeeded"]
    if failing:  # before the locks are cleared: the issues they held get a recovery action
        await open_for_ended_runs(session, failing, now=now)
    rows = (await session.execute(_END_RUNS, {**cols, "now": now, "record_state": record_state})).all()
    return {r.id: r.status for r in rows}, bool(rows and rows[0].released)


_RUNNING_OF = sa.text("""
    SELECT id, company_id, agent_id, wakeup_request_id FROM heartbeat_runs
    WHERE id = ANY(CAST(:ids AS uuid[])) AND status = 'running'
""")
_AGENTS_OF = sa.text("SELECT DISTINCT agent_id FROM heartbeat_runs WHERE id = ANY(CAST(:ids AS uuid[]))")


async def fail_running(
    session: AsyncSession, run_ids: list[uuid.UUID], *, error_code: str, message: str, now: datetime
) -> tuple[list[uuid.UUID], bool]:
    """Runs of `run_ids` still running end `failed` (lost process, shutdown) — the same ending as
    any other (`end_runs`), without runtime-state totals. Returns the failed runs' ids and whether
    an issue lock was released."""
    if not run_ids:
        return [], False
    await lock_agents(session, await session.scalars(_AGENTS_OF, {"ids": run_ids}))
    running = (await session.execute(_RUNNING_OF, {"ids": run_ids})).all()
    if not running:
        return [], False
    failure = Failure(error_code, message)
    final, released = await end_runs(
        session, [(run, failure, None) for run in running], now=now, record_state=False
    )
    return [run_id for run_id, status in final.items() if status == "failed"], released


# ---------------------------------------------------------------- cancel: queued | running → cancelled

_CANCEL_AGENT_REQUESTS = sa.text(f"""
    UPDATE agent_wakeup_requests SET status = 'cancelled', finished_at = :now, error = :reason
    WHERE agent_id = :agent AND status IN ({sql_in(WAKEUP_PENDING)})
""")
_CANCEL_AGENT_QUEUED = sa.text("""
    UPDATE heartbeat_runs SET status = 'cancelled', finished_at = :now, error = :reason, error_code = :code,
        updated_at = :now
    WHERE agent_id = :agent AND status = 'queued'
""")
_CANCEL_AGENT_RUNNING = sa.text("""
    UPDATE heartbeat_runs SET status = 'cancelled', finished_at = :now, error = :reason, error_code = :code,
        updated_at = :now
    WHERE agent_id = :agent AND status = 'running'
    RETURNING id
""")


async def cancel_agent_work(
    session: AsyncSession, *, agent_id: uuid.UUID, reason: str, now: datetime
) -> list[uuid.UUID]:
    """Cancel an agent's queued and deferred wake-ups and runs, and its running runs (pause, terminate,
    company archive, budget stop).

    Running runs are marked `cancelled` here; when this transaction commits the runner executing
    them receives a NOTIFY, stops their process group (SIGTERM, SIGKILL after graceSec) and ends
    them (`end_runs` keeps `cancelled` and releases their issue locks). Returns the ids of the runs
    that were running.
    """
    code = BUDGET_BLOCKED if "budget" in (reason or "").lower() else "cancelled"
    # agent row first, then its runs: the lock order
    await lock_agents(session, [agent_id])
    params = {"agent": agent_id, "reason": reason, "code": code, "now": now}
    await session.execute(_CANCEL_AGENT_REQUESTS, params)
    await session.execute(_CANCEL_AGENT_QUEUED, params)
    running = list(await session.scalars(_CANCEL_AGENT_RUNNING, params))
    if running:
        await notify(session, CANCEL_CHANNEL, json.dumps([str(r) for r in running]))
    return running


_LOCK_COMPANY_AGENTS = sa.text("""
    SELECT id FROM agents WHERE company_id = :company AND status <> 'terminated'
    ORDER BY id FOR NO KEY UPDATE SKIP LOCKED
""").bindparams(sa.bindparam("company", type_=sa.Uuid))


async def cancel_company_work(
    session: AsyncSession, *, company_id: uuid.UUID, reason: str, now: datetime
) -> None:
    """`cancel_agent_work` for every agent of the company that is not terminated (a budget stop of
    the whole company). Agents locked by someone else right now (a run being finalised) are skipped
    rather than waited for: the caller holds the company's lock, waiting here could deadlock with
    that runner, and a paused company admits no new wake-ups anyway."""
    agent_ids = (await session.scalars(_LOCK_COMPANY_AGENTS, {"company": company_id})).all()
    for agent_id in agent_ids:
        await cancel_agent_work(session, agent_id=agent_id, reason=reason, now=now)


_CANCEL_RUN = sa.text("""
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


async def cancel_run(session: AsyncSession, run_id: uuid.UUID, *, message: str, now: datetime) -> str | None:
    """A queued or running run becomes `cancelled` (a queued one's wake-up request too); the caller
    holds the run's row lock. Returns the status it had, None when it was not live. A running run's
    runner is told (NOTIFY on commit) and stops its process, then ends it (`end_runs`)."""
    was = await session.scalar(_CANCEL_RUN, {"id": run_id, "message": message, "now": now})
    if was == "running":
        await notify(session, CANCEL_CHANNEL, json.dumps([str(run_id)]))
    return was

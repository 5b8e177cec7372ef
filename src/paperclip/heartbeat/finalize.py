"""Ending runs in one transaction: the run row, its wake-up request, an event, issue locks, the
agent's status, runtime totals, the task session, the cost event, and deferred wake-ups (core §5.4)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.adapters.base import Usage
from paperclip.heartbeat.costs import record_run_cost
from paperclip.heartbeat.runs import (
    lock_agents,
    promote_deferred,
)
from paperclip.heartbeat.sessions import save_session
from paperclip.ids import parse_uuid


@dataclass
class RunOutcome:
    status: str  # succeeded | failed | timed_out | cancelled
    error: str | None = None
    error_code: str | None = None
    exit_code: int | None = None
    signal: str | None = None
    usage: Usage | None = None
    result_json: dict[str, Any] | None = None
    stdout_excerpt: str | None = None
    stderr_excerpt: str | None = None
    log_store: str | None = None
    log_ref: str | None = None
    log_bytes: int | None = None
    log_sha256: str | None = None
    session_before: str | None = None
    session_after: str | None = None
    session_params: dict[str, Any] | None = None
    session_display_id: str | None = None
    clear_session: bool = False
    task_key: str | None = None
    external_run_id: str | None = None
    provider: str | None = None
    biller: str | None = None
    billing_type: str | None = None
    model: str | None = None
    cost_cents: int = 0
    cost_known: bool = False


# Runs' rows, their wake-up requests, the closing events, compare-and-clear of issue locks, the
# agents' status and runtime totals, for a batch of runs in one statement (one input row per run).
# It runs right after the agent rows are locked, so "no other run of this agent is still running"
# is read with every committed run in view. Several runs of one agent in a batch: the agent's status
# and runtime state follow the last of them (as if finalised one after another), tokens add up.
_FINALIZE = sa.text("""
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


async def finalize_run(session: AsyncSession, run: Any, outcome: RunOutcome, *, adapter_type: str,
                       now: datetime) -> str:
    """Persist the outcome; returns the run's final status (a run cancelled or reaped meanwhile keeps
    that status, but still gets its log, excerpts and exit code)."""
    return (await finalize_runs(session, [(run, outcome, adapter_type)], now=now))[run.id]


async def finalize_runs(session: AsyncSession, items: list[tuple[Any, RunOutcome, str]], *,
                        now: datetime, locked: bool = False) -> dict[uuid.UUID, str]:
    """Persist several runs' outcomes `(run, outcome, adapter_type)` at once (the runner's batches):
    the agent rows are locked once, in order, then one statement writes them all. Returns each
    run's final status. `locked`: the caller holds the agent rows already."""
    if not items:
        return {}
    if not locked:
        await lock_agents(session, [run.agent_id for run, _, _ in items])
    cols: dict[str, list[Any]] = {k: [] for k in (
        "ids", "requests", "companies", "agents", "statuses", "errors", "error_codes", "exit_codes", "signals",
        "results", "usages", "stdouts", "stderrs", "log_stores", "log_refs", "log_bytes", "log_shas",
        "sessions_before", "sessions_after", "externals", "extras", "adapter_types", "input_tokens", "output_tokens",
        "cached_tokens", "cost_cents")}
    for run, outcome, adapter_type in items:
        usage = outcome.usage or Usage()
        extra: dict[str, Any] = {}
        if outcome.exit_code is not None:
            extra["exitCode"] = outcome.exit_code
        if outcome.error_code:
            extra["errorCode"] = outcome.error_code
        for key, value in (
            ("ids", run.id), ("requests", run.wakeup_request_id), ("companies", run.company_id),
            ("agents", run.agent_id), ("statuses", outcome.status), ("errors", outcome.error),
            ("error_codes", outcome.error_code), ("exit_codes", outcome.exit_code), ("signals", outcome.signal),
            ("results", json.dumps(outcome.result_json) if outcome.result_json is not None else None),
            ("usages", json.dumps(outcome.usage.as_json()) if outcome.usage else None),
            ("stdouts", outcome.stdout_excerpt), ("stderrs", outcome.stderr_excerpt),
            ("log_stores", outcome.log_store), ("log_refs", outcome.log_ref), ("log_bytes", outcome.log_bytes),
            ("log_shas", outcome.log_sha256), ("sessions_before", outcome.session_before),
            ("sessions_after", outcome.session_after), ("externals", outcome.external_run_id),
            ("extras", json.dumps(extra)), ("adapter_types", adapter_type), ("input_tokens", usage.input_tokens),
            ("output_tokens", usage.output_tokens), ("cached_tokens", usage.cached_input_tokens),
            ("cost_cents", outcome.cost_cents),
        ):
            cols[key].append(value)
    rows = (await session.execute(_FINALIZE, {**cols, "now": now})).all()
    final = {r.id: r.status for r in rows}
    released = bool(rows and rows[0].released)
    statuses: dict[uuid.UUID, str] = {}
    for run, outcome, adapter_type in items:
        status = final.get(run.id) or outcome.status
        statuses[run.id] = status
        usage = outcome.usage or Usage()
        if outcome.task_key and (outcome.session_params or outcome.clear_session):
            await save_session(session, company_id=run.company_id, agent_id=run.agent_id, adapter_type=adapter_type,
                               task_key=outcome.task_key, params=outcome.session_params,
                               display_id=outcome.session_display_id, clear=outcome.clear_session, run_id=run.id,
                               error=outcome.error if status != "succeeded" else None, now=now)
        if outcome.provider and (outcome.usage is not None or outcome.cost_cents):
            await record_run_cost(
                session, company_id=run.company_id, agent_id=run.agent_id, run_id=run.id,
                issue_id=parse_uuid(run.context.get("issueId")), provider=outcome.provider,
                model=outcome.model or "unknown", biller=outcome.biller, billing_type=outcome.billing_type,
                input_tokens=usage.input_tokens, cached_input_tokens=usage.cached_input_tokens,
                output_tokens=usage.output_tokens, cents=outcome.cost_cents, priced=outcome.cost_known, now=now)
    if released:
        await promote_deferred(session, now=now)
    return statuses


def excerpt(text: str, limit: int) -> str | None:
    if not text:
        return None
    return text[-limit:]


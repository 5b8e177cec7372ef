"""Ending a run in one transaction: the run row, its wake-up request, an event, issue locks, the
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
from paperclip.heartbeat.wakeups import _uuid


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


# The run row, its wake-up request, the closing event, compare-and-clear of issue locks, the agent's
# status and its runtime totals, in one statement. It runs right after the agent row is locked, so
# "no other run of this agent is still running" is read with every committed run in view.
_FINALIZE = sa.text("""
    WITH fin AS (
        UPDATE heartbeat_runs h SET
            status = CASE WHEN h.status = 'running' THEN :status ELSE h.status END,
            error = CASE WHEN h.status = 'running' THEN :error ELSE h.error END,
            error_code = CASE WHEN h.status = 'running' THEN :error_code ELSE h.error_code END,
            finished_at = CASE WHEN h.status = 'running' THEN :now ELSE coalesce(h.finished_at, :now) END,
            exit_code = :exit_code, signal = :signal, result_json = CAST(:result AS jsonb),
            usage_json = CAST(:usage AS jsonb), stdout_excerpt = :stdout, stderr_excerpt = :stderr,
            log_store = :log_store, log_ref = :log_ref, log_bytes = :log_bytes, log_sha256 = :log_sha256,
            session_id_before = :session_before, session_id_after = :session_after, external_run_id = :external,
            updated_at = :now
        WHERE h.id = :run
        RETURNING h.status
    ), req AS (
        UPDATE agent_wakeup_requests w SET
            status = CASE (SELECT status FROM fin) WHEN 'succeeded' THEN 'completed' WHEN 'cancelled' THEN 'cancelled'
                     ELSE 'failed' END,
            finished_at = :now, updated_at = :now,
            error = CASE WHEN (SELECT status FROM fin) = 'succeeded' THEN NULL ELSE :error END
        WHERE w.id = :request
    ), ev AS (
        INSERT INTO heartbeat_run_events (company_id, run_id, agent_id, seq, event_type, stream, level, message, payload,
                                          created_at)
        SELECT :company, :run, :agent,
               (SELECT coalesce(max(e.seq), 0) + 1 FROM heartbeat_run_events e WHERE e.run_id = :run),
               'lifecycle', 'system',
               CASE fin.status WHEN 'succeeded' THEN 'info' WHEN 'cancelled' THEN 'warn' ELSE 'error' END,
               'run ' || fin.status, jsonb_build_object('status', fin.status) || CAST(:event_extra AS jsonb), :now
        FROM fin
    ), locks AS (
        UPDATE issues SET
            checkout_run_id = CASE WHEN checkout_run_id = :run THEN NULL ELSE checkout_run_id END,
            execution_run_id = CASE WHEN execution_run_id = :run THEN NULL ELSE execution_run_id END,
            execution_locked_at = CASE WHEN execution_run_id = :run THEN NULL ELSE execution_locked_at END,
            execution_agent_name_key = CASE WHEN execution_run_id = :run THEN NULL ELSE execution_agent_name_key END
        WHERE checkout_run_id = :run OR execution_run_id = :run
        RETURNING id
    ), agent AS (
        UPDATE agents a SET
            status = CASE WHEN a.status = 'running' AND NOT EXISTS (
                              SELECT 1 FROM heartbeat_runs o WHERE o.agent_id = a.id AND o.status = 'running' AND o.id <> :run)
                          THEN CASE WHEN (SELECT status FROM fin) IN ('failed', 'timed_out') THEN 'error' ELSE 'idle' END
                          ELSE a.status END,
            last_heartbeat_at = :now, updated_at = :now
        WHERE a.id = :agent
    ), state AS (
        INSERT INTO agent_runtime_state AS s (agent_id, company_id, adapter_type, session_id, last_run_id, last_run_status,
            total_input_tokens, total_output_tokens, total_cached_input_tokens, total_cost_cents, last_error,
            created_at, updated_at)
        SELECT :agent, :company, :adapter_type, :session_after, :run, fin.status, :input_tokens, :output_tokens,
               :cached_tokens, :cost_cents, CASE WHEN fin.status = 'succeeded' THEN NULL ELSE :error END, :now, :now
        FROM fin
        ON CONFLICT (agent_id) DO UPDATE SET
            adapter_type = EXCLUDED.adapter_type, last_run_id = EXCLUDED.last_run_id,
            last_run_status = EXCLUDED.last_run_status, session_id = coalesce(EXCLUDED.session_id, s.session_id),
            total_input_tokens = s.total_input_tokens + EXCLUDED.total_input_tokens,
            total_output_tokens = s.total_output_tokens + EXCLUDED.total_output_tokens,
            total_cached_input_tokens = s.total_cached_input_tokens + EXCLUDED.total_cached_input_tokens,
            total_cost_cents = s.total_cost_cents + EXCLUDED.total_cost_cents,
            last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
    )
    SELECT (SELECT status FROM fin) AS status, (SELECT count(*) FROM locks) AS released
""")


async def finalize_run(session: AsyncSession, run: Any, outcome: RunOutcome, *, adapter_type: str,
                       event_seq: int | None = None, now: datetime) -> str:
    """Persist the outcome; returns the run's final status (a run cancelled or reaped meanwhile keeps
    that status, but still gets its log, excerpts and exit code)."""
    await lock_agents(session, [run.agent_id])
    usage = outcome.usage or Usage()
    extra: dict[str, Any] = {}
    if outcome.exit_code is not None:
        extra["exitCode"] = outcome.exit_code
    if outcome.error_code:
        extra["errorCode"] = outcome.error_code
    row = (await session.execute(_FINALIZE, {
        "run": run.id, "request": run.wakeup_request_id, "company": run.company_id, "agent": run.agent_id,
        "status": outcome.status, "error": outcome.error, "error_code": outcome.error_code, "now": now,
        "exit_code": outcome.exit_code, "signal": outcome.signal,
        "result": json.dumps(outcome.result_json) if outcome.result_json is not None else None,
        "usage": json.dumps(outcome.usage.as_json()) if outcome.usage else None,
        "stdout": outcome.stdout_excerpt, "stderr": outcome.stderr_excerpt, "log_store": outcome.log_store,
        "log_ref": outcome.log_ref, "log_bytes": outcome.log_bytes, "log_sha256": outcome.log_sha256,
        "session_before": outcome.session_before, "session_after": outcome.session_after,
        "external": outcome.external_run_id, "event_extra": json.dumps(extra), "adapter_type": adapter_type,
        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_input_tokens, "cost_cents": outcome.cost_cents,
    })).first()
    status = row.status if row is not None and row.status else outcome.status
    if outcome.task_key and (outcome.session_params or outcome.clear_session):
        await save_session(session, company_id=run.company_id, agent_id=run.agent_id, adapter_type=adapter_type,
                           task_key=outcome.task_key, params=outcome.session_params,
                           display_id=outcome.session_display_id, clear=outcome.clear_session, run_id=run.id,
                           error=outcome.error if status != "succeeded" else None, now=now)
    if outcome.provider and (outcome.usage is not None or outcome.cost_cents):
        await record_run_cost(
            session, company_id=run.company_id, agent_id=run.agent_id, run_id=run.id,
            issue_id=_uuid(run.context.get("issueId")), provider=outcome.provider, model=outcome.model or "unknown",
            biller=outcome.biller, billing_type=outcome.billing_type, input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens, output_tokens=usage.output_tokens,
            cents=outcome.cost_cents, priced=outcome.cost_known, now=now)
    if row is not None and row.released:
        await promote_deferred(session, now=now)
    return status


def excerpt(text: str, limit: int) -> str | None:
    if not text:
        return None
    return text[-limit:]


def run_uuid(value: Any) -> uuid.UUID | None:
    return _uuid(value)

"""Ending a run in one transaction: the run row, its wake-up request, an event, issue locks, the
agent's status, runtime totals, the task session, the cost event, and deferred wake-ups (core §5.4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.adapters.base import Usage
from paperclip.db.models import AgentWakeupRequest, HeartbeatRun
from paperclip.heartbeat.costs import record_run_cost
from paperclip.heartbeat.runs import (
    REQUEST_STATUS,
    add_event,
    finish_agent,
    lock_agents,
    promote_deferred,
    release_issue_locks,
)
from paperclip.heartbeat.sessions import save_session, update_runtime_state
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


async def finalize_run(session: AsyncSession, run: Any, outcome: RunOutcome, *, adapter_type: str, event_seq: int,
                       now: datetime) -> str:
    """Persist the outcome; returns the run's final status (a run cancelled or reaped meanwhile keeps
    that status, but still gets its log, excerpts and exit code)."""
    await lock_agents(session, [run.agent_id])
    current = await session.scalar(sa.select(HeartbeatRun.status).where(HeartbeatRun.id == run.id).with_for_update())
    status = outcome.status if current == "running" else (current or outcome.status)
    values: dict[str, Any] = dict(
        exit_code=outcome.exit_code, signal=outcome.signal, result_json=outcome.result_json,
        usage_json=outcome.usage.as_json() if outcome.usage else None, stdout_excerpt=outcome.stdout_excerpt,
        stderr_excerpt=outcome.stderr_excerpt, log_store=outcome.log_store, log_ref=outcome.log_ref,
        log_bytes=outcome.log_bytes, log_sha256=outcome.log_sha256, session_id_before=outcome.session_before,
        session_id_after=outcome.session_after, external_run_id=outcome.external_run_id, updated_at=now)
    if current == "running":
        values.update(status=status, error=outcome.error, error_code=outcome.error_code, finished_at=now)
    await session.execute(sa.update(HeartbeatRun).where(HeartbeatRun.id == run.id).values(**values))
    if run.wakeup_request_id:
        await session.execute(sa.update(AgentWakeupRequest).where(AgentWakeupRequest.id == run.wakeup_request_id).values(
            status=REQUEST_STATUS.get(status, "failed"), finished_at=now, error=outcome.error if status != "succeeded" else None,
            updated_at=now))
    payload: dict[str, Any] = {"status": status}
    if outcome.exit_code is not None:
        payload["exitCode"] = outcome.exit_code
    if outcome.error_code:
        payload["errorCode"] = outcome.error_code
    await add_event(session, run, event_seq, event_type="lifecycle", message=f"run {status}", payload=payload,
                    level="info" if status == "succeeded" else "warn" if status == "cancelled" else "error", now=now)
    released = await release_issue_locks(session, run.id)
    await finish_agent(session, run.agent_id, failed=status in ("failed", "timed_out"), now=now)
    usage = outcome.usage or Usage()
    await update_runtime_state(
        session, company_id=run.company_id, agent_id=run.agent_id, adapter_type=adapter_type, run_id=run.id,
        status=status, error=outcome.error if status != "succeeded" else None, session_id=outcome.session_after,
        input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, cached_tokens=usage.cached_input_tokens,
        cost_cents=outcome.cost_cents, now=now)
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
    if released:
        await promote_deferred(session, now=now)
    return status


def excerpt(text: str, limit: int) -> str | None:
    if not text:
        return None
    return text[-limit:]


def run_uuid(value: Any) -> uuid.UUID | None:
    return _uuid(value)

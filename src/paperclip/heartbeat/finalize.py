"""Ending runs with their outcome in one transaction: the run's ending (`paperclip.runs.lifecycle.end_runs`:
the run row, its wake-up request, an event, issue locks, the agent's status, runtime totals), then
the task session, the cost event, and deferred wake-ups (core §5.4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.adapters.base import Usage
from paperclip.costs.service import record_run_cost
from paperclip.heartbeat.runs import promote_deferred
from paperclip.heartbeat.sessions import save_session
from paperclip.ids import parse_uuid
from paperclip.runs.lifecycle import end_runs, lock_agents


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


async def finalize_run(
    session: AsyncSession, run: Any, outcome: RunOutcome, *, adapter_type: str, now: datetime
) -> str:
    """Persist the outcome; returns the run's final status (a run cancelled or reaped meanwhile keeps
    that status, but still gets its log, excerpts and exit code)."""
    return (await finalize_runs(session, [(run, outcome, adapter_type)], now=now))[run.id]


async def finalize_runs(
    session: AsyncSession, items: list[tuple[Any, RunOutcome, str]], *, now: datetime, locked: bool = False
) -> dict[uuid.UUID, str]:
    """Persist several runs' outcomes `(run, outcome, adapter_type)` at once (the runner's batches):
    the agent rows are locked once, in order, then one statement writes them all. Returns each
    run's final status. `locked`: the caller holds the agent rows already."""
    if not items:
        return {}
    if not locked:
        await lock_agents(session, [run.agent_id for run, _, _ in items])
    final, released = await end_runs(session, items, now=now)
    statuses: dict[uuid.UUID, str] = {}
    for run, outcome, adapter_type in items:
        status = final.get(run.id) or outcome.status
        statuses[run.id] = status
        usage = outcome.usage or Usage()
        if outcome.task_key and (outcome.session_params or outcome.clear_session):
            await save_session(
                session,
                company_id=run.company_id,
                agent_id=run.agent_id,
                adapter_type=adapter_type,
                task_key=outcome.task_key,
                params=outcome.session_params,
                display_id=outcome.session_display_id,
                clear=outcome.clear_session,
                run_id=run.id,
                error=outcome.error if status != "succeeded" else None,
                now=now,
            )
        if outcome.provider and (outcome.usage is not None or outcome.cost_cents):
            await record_run_cost(
                session,
                company_id=run.company_id,
                agent_id=run.agent_id,
                run_id=run.id,
                issue_id=parse_uuid(run.context.get("issueId")),
                provider=outcome.provider,
                model=outcome.model or "unknown",
                biller=outcome.biller,
                billing_type=outcome.billing_type,
                input_tokens=usage.input_tokens,
                cached_input_tokens=usage.cached_input_tokens,
                output_tokens=usage.output_tokens,
                cents=outcome.cost_cents,
                priced=outcome.cost_known,
                now=now,
            )
    if released:
        await promote_deferred(session, now=now)
    return statuses


def excerpt(text: str, limit: int) -> str | None:
    if not text:
        return None
    return text[-limit:]

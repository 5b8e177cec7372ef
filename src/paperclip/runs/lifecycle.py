"""Every write to `heartbeat_runs`: enqueue, coalesce, claim, process record, end (finish or fail),
cancel. The statements are in `paperclip.runs.queries` (the enqueue statements are run by
heartbeat/ itself); the transitions are those of `paperclip.runs.transitions`; each statement
guards the old status in its WHERE (tests/heartbeat/test_run_transitions.py checks them all, and
that no other module writes this table).

Lock order (heartbeat/README.md): agent rows first (`lock_agents`, sorted by id), then their runs,
then issues. Claims, ending, failing, process records and an agent's cancellation all follow it.

The callers stay where their logic is (heartbeat/wakeups.py decides admission and coalescing,
heartbeat/runs.py picks the agents to claim for, heartbeat/finalize.py builds outcomes and records
sessions and costs); this module runs the statements in the lock order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.runqueue import CANCEL_CHANNEL, WAKE_CHANNEL, notify
from paperclip.runs import queries
from paperclip.runs.recovery_actions import open_for_ended_runs
from paperclip.runs.transitions import BUDGET_BLOCKED, ENDINGS

# ---------------------------------------------------------------- the lock order


async def lock_agents(session: AsyncSession, agent_ids: Iterable[uuid.UUID]) -> None:
    """Row locks on agents, always taken before a run row is changed (claims, ending, reaping and
    cancellation all lock in this order), so an agent's status is decided with every committed run
    in view and the lock order never deadlocks."""
    ids = sorted(set(agent_ids))
    if ids:  # one array parameter: the same prepared statement for any number of agents
        await queries.LOCK_AGENTS.execute(session, ids=ids)


# ---------------------------------------------------------------- enqueue: (new) → queued


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
    await queries.QUEUE_PROMOTED.execute(
        session,
        id=run_id,
        company_id=company_id,
        agent_id=agent_id,
        source=source,
        trigger_detail=trigger_detail,
        request_id=request_id,
        snapshot=json.dumps(snapshot),
        now=now,
    )


# ---------------------------------------------------------------- coalesce: queued → queued


async def merge_into_queued(
    session: AsyncSession, run_id: uuid.UUID, snapshot: dict[str, Any], *, now: datetime
) -> bool:
    """A wake-up coalesced into a still-queued run: its merged context. False when the run left the
    queue meanwhile (the wake-up then queues a run of its own)."""
    return bool(
        await queries.MERGE_INTO_QUEUED.execute(session, id=run_id, snapshot=json.dumps(snapshot), now=now)
    )


# ---------------------------------------------------------------- claim: queued → running | cancelled


async def claim(
    session: AsyncSession, agent_ids: list[uuid.UUID], slots: list[int], *, runner_id: str, now: datetime
) -> list[Any]:
    """Claim queued runs of agents whose rows this transaction has locked, up to `slots` (their
    maxConcurrentRuns) running at once each. Rows (dicts): id, company_id, agent_id, context_snapshot,
    wakeup_request_id, invocation_source."""
    return await queries.CLAIM.fetch(session, ids=agent_ids, slots=slots, now=now, runner=runner_id)


# ---------------------------------------------------------------- hand back: running → queued


async def hand_back(
    session: AsyncSession, runs: Iterable[Any], *, runner_id: str, now: datetime
) -> list[uuid.UUID]:
    """Queue again the claimed, never started runs of a stopping runner (agent rows locked first)
    and wake the other runners; the ids handed back."""
    runs = list(runs)
    if not runs:
        return []
    await lock_agents(session, [r.agent_id for r in runs])
    back = [
        row["id"]
        for row in await queries.HAND_BACK.fetch(session, ids=[r.id for r in runs], runner=runner_id, now=now)
    ]
    if back:
        await notify(session, WAKE_CHANNEL, "handed_back")
    return back


# ---------------------------------------------------------------- process record (status unchanged)


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
    await queries.RECORD_PROCESSES.execute(
        session,
        ids=[run.id for run, _, _, _ in items],
        companies=[run.company_id for run, _, _, _ in items],
        agents=[run.agent_id for run, _, _, _ in items],
        pids=[pid for _, pid, _, _ in items],
        ticks=[ticks for _, _, ticks, _ in items],
        payloads=[json.dumps({**payload, "pid": pid}) for _, pid, _, payload in items],
        now=now,
    )


# ---------------------------------------------------------------- end: running → succeeded | failed | timed_out | cancelled


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
    rows = await queries.END_RUNS.fetch(session, **cols, now=now, record_state=record_state)
    return {r["id"]: r["status"] for r in rows}, bool(rows and rows[0]["released"])


async def fail_running(
    session: AsyncSession, run_ids: list[uuid.UUID], *, error_code: str, message: str, now: datetime
) -> tuple[list[uuid.UUID], bool]:
    """Runs of `run_ids` still running end `failed` (lost process, shutdown) — the same ending as
    any other (`end_runs`), without runtime-state totals. Returns the failed runs' ids and whether
    an issue lock was released."""
    if not run_ids:
        return [], False
    await lock_agents(
        session, [r["agent_id"] for r in await queries.AGENTS_OF_RUNS.fetch(session, ids=run_ids)]
    )
    running = [SimpleNamespace(**r) for r in await queries.RUNNING_AMONG.fetch(session, ids=run_ids)]
    if not running:
        return [], False
    failure = Failure(error_code, message)
    final, released = await end_runs(
        session, [(run, failure, None) for run in running], now=now, record_state=False
    )
    return [run_id for run_id, status in final.items() if status == "failed"], released


# ---------------------------------------------------------------- cancel: queued | running → cancelled


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
    await queries.CANCEL_AGENT_REQUESTS.execute(session, agent=agent_id, reason=reason, now=now)
    await queries.CANCEL_AGENT_QUEUED.execute(session, agent=agent_id, reason=reason, code=code, now=now)
    running = [
        r["id"]
        for r in await queries.CANCEL_AGENT_RUNNING.fetch(
            session, agent=agent_id, reason=reason, code=code, now=now
        )
    ]
    if running:
        await notify(session, CANCEL_CHANNEL, json.dumps([str(r) for r in running]))
    return running


async def cancel_company_work(
    session: AsyncSession, *, company_id: uuid.UUID, reason: str, now: datetime
) -> None:
    """`cancel_agent_work` for every agent of the company that is not terminated (a budget stop of
    the whole company). Agents locked by someone else right now (a run being finalised) are skipped
    rather than waited for: the caller holds the company's lock, waiting here could deadlock with
    that runner, and a paused company admits no new wake-ups anyway."""
    for row in await queries.LOCK_COMPANY_AGENTS.fetch(session, company=company_id):
        await cancel_agent_work(session, agent_id=row["id"], reason=reason, now=now)


async def cancel_run(session: AsyncSession, run_id: uuid.UUID, *, message: str, now: datetime) -> str | None:
    """A queued or running run becomes `cancelled` (a queued one's wake-up request too); the caller
    holds the run's row lock. Returns the status it had, None when it was not live. A running run's
    runner is told (NOTIFY on commit) and stops its process, then ends it (`end_runs`)."""
    was = await queries.CANCEL_RUN.fetchval(session, id=run_id, message=message, now=now)
    if was == "running":
        await notify(session, CANCEL_CHANNEL, json.dumps([str(run_id)]))
    return was

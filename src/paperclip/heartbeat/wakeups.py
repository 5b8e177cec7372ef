"""Waking an agent. `request_wakeup` is the general path (assignment, mention, approval, automation,
and any on-demand wake-up that needs a lock); two shortcuts write the same rows without it:
`queue_on_demand_wakeup` below (a plain on-demand wake-up from the API, one statement on the
autocommit pool; tests/heartbeat/test_wakeups.py checks it writes what the general path writes) and
`timer_wakes.enqueue_timer_wakes` (every due timer of a scheduler tick, set-based).

Other features call `request_wakeup` inside their own transaction; the wake-up becomes visible to
the runner when that transaction commits (NOTIFY is delivered on commit too), and the runner starts
it within milliseconds. Steps (core §5.3): admission → idempotency → coalescing → deferral behind
another run's issue execution lock → a queued wake-up request and run.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import AgentWakeupRequest
from paperclip.db.tree_holds import ISSUE_PAUSE_HOLD
from paperclip.errors import Conflict, NotFound
from paperclip.heartbeat import queries
from paperclip.heartbeat.context import build_snapshot, merge_snapshots
from paperclip.heartbeat.policy import heartbeat_policy
from paperclip.heartbeat.project_stop import SKIP_REASON as PROJECT_SKIP_REASON
from paperclip.heartbeat.project_stop import paused_details
from paperclip.ids import parse_uuid
from paperclip.redaction import redact
from paperclip.runqueue import CANCEL_CHANNEL, WAKE_CHANNEL, notify  # noqa: F401 (re-exported)
from paperclip.runs.lifecycle import (
    cancel_agent_work,  # noqa: F401 (re-exported)
    merge_into_queued,
)
from paperclip.runs.queries import QUEUE_ON_DEMAND, QUEUE_WAKEUP
from paperclip.vocabulary import AGENT_NOT_INVOKABLE

TREE_HOLD_SKIP_REASON = "issue_tree_paused"  # agent_wakeup_requests.error of a wake-up for a held issue
# Explicit on-demand wakes are each a run (as the original does); the others coalesce per task.
NON_COALESCING_SOURCES = ("on_demand",)


@dataclass(frozen=True)
class WakeupOutcome:
    status: str  # queued | coalesced | skipped | deferred_issue_execution
    request_id: uuid.UUID | None
    run_id: uuid.UUID | None
    reason: str | None = None  # why a wake was skipped or deferred
    details: dict[str, Any] | None = None
    run: dict[str, Any] | None = None  # the new run's row (column names), when one was queued


def agent_lock_key(agent_id: uuid.UUID) -> int:
    """A 63-bit advisory-lock key per agent: wake-ups of one agent are serialised (coalescing is exact)."""
    return int.from_bytes(agent_id.bytes[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def not_invokable(agent_id: uuid.UUID, status: str, pause_reason: str | None = None) -> Conflict:
    return Conflict(
        "Agent is not invokable in its current state",
        details={
            "status": status,
            "reason": pause_reason if status == "paused" and pause_reason == "budget" else status,
            "invalidOrgChain": False,
            "agentId": str(agent_id),
            "agentStatus": status,
        },
    )


def needs_wake_lock(
    source: str,
    idempotency_key: str | None,
    payload: dict[str, Any] | None,
    context: dict[str, Any] | None = None,
) -> bool:
    """Whether a wake-up must hold the agent's wake-up lock. It makes coalescing, idempotency and the
    deferral behind an issue's execution lock exact; a plain on-demand wake-up (its own run, no key,
    no issue) needs none of them, so a burst of them for one agent does not queue on the lock."""
    return source not in NON_COALESCING_SOURCES or bool(idempotency_key) or bool(payload) or bool(context)


async def lock_wake_target(
    session: AsyncSession, agent_id: uuid.UUID, company_id: uuid.UUID | None = None, *, lock: bool = True
) -> Any:
    """The agent (its company, status, policy and its company's status), under the agent's wake-up
    advisory lock unless `lock` is false, in one round trip; None when there is no such agent (in
    that company)."""
    statement = queries.WAKE_TARGETS[(lock, company_id is not None)]
    args = (agent_id, company_id, agent_lock_key(agent_id)) if lock else (agent_id, company_id)
    row = await statement.fetchrow(session, *args)
    return SimpleNamespace(**row) if row is not None else None


async def request_wakeup(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    source: str,
    reason: str,
    now: datetime,
    trigger_detail: str = "system",
    payload: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    requested_by_actor_type: str = "system",
    requested_by_actor_id: str | None = None,
    idempotency_key: str | None = None,
    force_fresh_session: bool = False,
    target: Any = None,
) -> WakeupOutcome:
    """Queue a wake-up for an agent; the caller's transaction commits it.

    Raises Conflict (409) when the agent is paused, terminated or pending approval, NotFound when it
    does not exist in the company. Other refusals (company not active, the policy flag for the
    source off) write a `skipped` request and return outcome `skipped`. `target`: the row
    `lock_wake_target` returned in this transaction (the caller looked the agent up already, with
    the lock `needs_wake_lock` asks for).
    """
    row = (
        target
        if target is not None
        else await lock_wake_target(
            session, agent_id, company_id, lock=needs_wake_lock(source, idempotency_key, payload, context)
        )
    )
    if row is None:
        raise NotFound("Agent not found")
    if row.status in AGENT_NOT_INVOKABLE:
        raise not_invokable(agent_id, row.status, row.pause_reason)

    common = dict(
        company_id=company_id,
        agent_id=agent_id,
        source=source,
        trigger_detail=trigger_detail,
        reason=reason,
        requested_by_actor_type=requested_by_actor_type,
        requested_by_actor_id=requested_by_actor_id,
        requested_at=now,
    )

    if idempotency_key:
        existing = (
            await session.execute(
                sa.select(
                    AgentWakeupRequest.id,
                    AgentWakeupRequest.status,
                    AgentWakeupRequest.run_id,
                    AgentWakeupRequest.error,
                ).where(
                    AgentWakeupRequest.company_id == company_id,
                    AgentWakeupRequest.agent_id == agent_id,
                    AgentWakeupRequest.idempotency_key == idempotency_key,
                )
            )
        ).first()
        if existing is not None:
            status = (
                existing.status
                if existing.status in ("skipped", "coalesced", "deferred_issue_execution")
                else "queued"
            )
            return WakeupOutcome(status, existing.id, existing.run_id, reason=existing.error)

    snapshot = build_snapshot(
        source=source,
        reason=reason,
        trigger_detail=trigger_detail,
        payload=payload,
        context=context,
        actor_type=requested_by_actor_type,
        actor_id=requested_by_actor_id,
        force_fresh_session=force_fresh_session,
    )
    issue_id = parse_uuid(snapshot.get("issueId"))

    # admission, in the reference's order: company, policy flag, budget block (§8.3: the agent's own
    # stop is its `paused` status, refused above; the project's is its issue's project's paused_at)
    skip_reason, skip_details = None, None
    if row.company_status != "active":
        skip_reason = "company_not_active"
    elif not heartbeat_policy(row.runtime_config).allows(source):
        skip_reason = "policy_disabled"
    elif issue_id is not None:
        project = await queries.ISSUE_PROJECT_FOR_WAKE.fetchrow(session, issue_id)
        if project is not None and project["paused"]:
            skip_reason = PROJECT_SKIP_REASON
            skip_details = paused_details(project["id"], project["pause_reason"])
        else:
            held = await ISSUE_PAUSE_HOLD.fetchrow(session, issue_id)
            if held is not None:  # the issue's subtree is paused: its agents are not woken for it
                skip_reason = TREE_HOLD_SKIP_REASON
                skip_details = {
                    "issueId": str(issue_id),
                    "holdId": str(held["hold_id"]),
                    "rootIssueId": str(held["hold_root_issue_id"]),
                }
    if skip_reason is not None:
        request_id = uuid.uuid4()
        await session.execute(
            sa.insert(AgentWakeupRequest).values(
                id=request_id,
                **common,
                payload=payload,
                status="skipped",
                idempotency_key=idempotency_key,
                finished_at=now,
                error=skip_reason,
            )
        )
        return WakeupOutcome("skipped", request_id, None, reason=skip_reason, details=skip_details)

    if source not in NON_COALESCING_SOURCES:
        found = await queries.QUEUED_RUN_OF_TASK.fetchrow(
            session, agent_id=agent_id, task_key=snapshot["taskKey"]
        )
        queued = SimpleNamespace(**found) if found is not None else None
        if queued is not None:
            merged = merge_snapshots(queued.context_snapshot or {}, snapshot)
            if await merge_into_queued(session, queued.id, merged, now=now):
                if queued.wakeup_request_id is not None:
                    await session.execute(
                        sa.update(AgentWakeupRequest)
                        .where(AgentWakeupRequest.id == queued.wakeup_request_id)
                        .values(
                            coalesced_count=AgentWakeupRequest.coalesced_count + 1,
                            reason=reason,
                            updated_at=now,
                        )
                    )
                request_id = uuid.uuid4()
                await session.execute(
                    sa.insert(AgentWakeupRequest).values(
                        id=request_id,
                        **common,
                        payload=payload,
                        status="coalesced",
                        idempotency_key=idempotency_key,
                        run_id=queued.id,
                        finished_at=now,
                    )
                )
                return WakeupOutcome("coalesced", request_id, queued.id)

    if issue_id is not None:
        lock = await queries.ISSUE_EXECUTION_LOCK.fetchrow(session, issue_id=issue_id)
        if lock is not None:
            request_id = uuid.uuid4()
            await session.execute(
                sa.insert(AgentWakeupRequest).values(
                    id=request_id,
                    **common,
                    payload={**(payload or {}), "contextSnapshot": snapshot},
                    status="deferred_issue_execution",
                    idempotency_key=idempotency_key,
                )
            )
            return WakeupOutcome(
                "deferred_issue_execution",
                request_id,
                None,
                reason="issue_execution_locked",
                details={
                    "issueId": str(issue_id),
                    "executionRunId": str(lock["execution_run_id"]),
                    "executionAgentId": str(lock["agent_id"]),
                },
            )

    request_id, run_id = uuid.uuid4(), uuid.uuid4()
    run = await QUEUE_WAKEUP.fetchrow(
        session,
        request_id,
        run_id,
        company_id,
        agent_id,
        source,
        trigger_detail,
        reason,
        json.dumps(payload) if payload is not None else None,
        requested_by_actor_type,
        requested_by_actor_id,
        idempotency_key,
        now,
        json.dumps(snapshot),
        WAKE_CHANNEL,
        str(agent_id),
    )
    run.pop("notified", None)
    return WakeupOutcome("queued", request_id, run_id, run=run)


async def queue_on_demand_wakeup(
    pool: Any,
    *,
    agent_id: uuid.UUID,
    companies: list[uuid.UUID] | None,
    trigger_detail: str,
    reason: str | None,
    actor_type: str,
    actor_id: str | None,
    actor_agent_id: uuid.UUID | None,
    actor_run_id: uuid.UUID | None,
    force_fresh_session: bool,
    now: datetime,
) -> dict[str, Any] | None:
    """Queue a plain on-demand wake-up as a transaction of its own (one round trip on `pool`, in
    autocommit): the caller must have written nothing else. `companies`: those the actor may wake
    agents in (None: all). Returns the queued run's row, or None when the agent is not there for
    this actor or not admitted as it stands (the general path then decides and answers)."""
    request_id, run_id = uuid.uuid4(), uuid.uuid4()
    snapshot = build_snapshot(
        source="on_demand",
        reason=reason,
        trigger_detail=trigger_detail,
        payload=None,
        context=None,
        actor_type=actor_type,
        actor_id=actor_id,
        force_fresh_session=force_fresh_session,
    )
    details = redact(
        {
            "source": "on_demand",
            "triggerDetail": trigger_detail,
            "reason": reason,
            "outcome": "queued",
            "runId": str(run_id),
        }
    )
    run = await QUEUE_ON_DEMAND.fetchrow_autocommit(
        pool,
        agent_id,
        companies,
        request_id,
        run_id,
        "on_demand",
        trigger_detail,
        reason,
        actor_type,
        actor_id,
        now,
        json.dumps(snapshot),
        actor_agent_id,
        actor_run_id,
        json.dumps(details),
        WAKE_CHANNEL,
    )
    if run is not None:
        run.pop("notified", None)
    return run

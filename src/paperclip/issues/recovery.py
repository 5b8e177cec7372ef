"""Recovery actions (`/issues/:id/recovery-actions`), as the original behaves (checked side by side).

A run that ends failed, timed out or cancelled (an adapter error, a pause, a lost process) while it
holds an in-progress issue opens an active action on it (`runs/recovery_actions.py`, in the run's
ending transaction): kind `active_run_watchdog`, cause `legacy_execution_requires_reconciliation`,
owned by the board, `returnOwnerAgentId` the run's agent. The issue stays `in_progress`, unlocked.

- GET lists the issue's active action (`active`, and `actions` holding it); none: `{active: null, actions: []}`.
- The board or an agent of the company resolves it (POST .../resolve): `restored` continues the task (its
  assignee is woken, `issue_recovery_action_restored`) and, for this cause, needs an
  `executionReconciliation` of the action's run (the evidence that nothing is repeated);
  `false_positive`, `cancelled` close it without one; `blocked` needs an unresolved blocker. The issue
  moves to `sourceIssueStatus`.
- Left alone, the next scheduler tick settles it (`settle_actions`): the action is resolved with
  outcome `blocked`, the issue (still in progress and unlocked) becomes `blocked`.

Concurrency: resolving and settling both lock the action row first (FOR UPDATE), then the issue, so
a resolution racing a settlement (or another resolution) finds it no longer active: 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.errors import Conflict, NotFound, Unprocessable
from paperclip.issues import queries
from paperclip.issues.identifiers import find_issue
from paperclip.issues.shapes import issue_to_wire
from paperclip.issues.status import status_effects
from paperclip.issues.wakes import Wakes
from paperclip.issues.wire import RECOVERY_ACTION, action_json  # noqa: F401 (action_json re-exported)
from paperclip.vocabulary import ISSUE_TERMINAL
from paperclip.wire import iso, uid

RECONCILE_FIRST = "Reconcile the recorded execution and its action outcomes before continuing this task."
RECONCILE_CONTINUES = (
    "An execution reconciliation must target the current execution recovery action and continue the task."
)
BLOCKED_NEEDS_BLOCKER = (
    "Blocked recovery resolution requires an unresolved first-class blocker on the source issue"
)
NOT_FOUND = "Active recovery action not found"
LEGACY_CAUSE = "legacy_execution_requires_reconciliation"


class ExecutionReconciliation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    runId: uuid.UUID  # noqa: N815
    providerStopped: Literal[True]  # noqa: N815
    actionOutcome: Literal["completed", "not_performed", "mixed"]  # noqa: N815
    outcomeEvidence: Annotated[str, StringConstraints(min_length=20, max_length=12000)]  # noqa: N815


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    executionReconciliation: ExecutionReconciliation | None = None  # noqa: N815
    actionId: uuid.UUID | None = None  # noqa: N815
    outcome: Literal["restored", "false_positive", "blocked", "cancelled"]
    sourceIssueStatus: Literal["todo", "done", "in_review", "blocked"]  # noqa: N815
    resolutionNote: Annotated[str, StringConstraints(max_length=12000)] | None = None  # noqa: N815


action_to_wire = RECOVERY_ACTION.python()  # (row) -> the wire object; wire.py's field table


async def active_action(session: AsyncSession, issue_id: uuid.UUID) -> dict[str, Any] | None:
    """The issue's active action (the detail's `activeRecoveryAction`), or None."""
    rows = await queries.ACTIVE_RECOVERY_ACTIONS.fetch(session, issue_id=issue_id)
    return action_to_wire(rows[0]) if rows else None


async def list_actions(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    actions = [
        action_to_wire(row)
        for row in await queries.ACTIVE_RECOVERY_ACTIONS.fetch(session, issue_id=issue["id"])
    ]
    return {"active": actions[0] if actions else None, "actions": actions}


def _check_resolution(action: dict[str, Any], body: ResolveBody) -> None:
    if action["cause"] != LEGACY_CAUSE:
        return
    reconciliation = body.executionReconciliation
    if reconciliation is not None:
        if body.outcome != "restored" or body.sourceIssueStatus != "todo":
            raise Conflict(RECONCILE_CONTINUES)
        if str(reconciliation.runId) != str(action["evidence"].get("runId")):
            raise Conflict(RECONCILE_FIRST)
    elif body.outcome == "restored":
        raise Conflict(RECONCILE_FIRST)


async def resolve(
    session: AsyncSession, actor: Actor, ref: str, body: ResolveBody, now: datetime
) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    action = await queries.ACTIVE_RECOVERY_ACTION_FOR_UPDATE.fetchrow(session, issue_id=issue["id"])
    if action is None or (body.actionId is not None and body.actionId != action["id"]):
        raise NotFound(NOT_FOUND)
    _check_resolution(action, body)
    if body.outcome == "blocked" and not await queries.HAS_UNRESOLVED_BLOCKER.fetchval(
        session, issue_id=issue["id"]
    ):
        raise Unprocessable(BLOCKED_NEEDS_BLOCKER)

    evidence: dict[str, Any] = {}
    if body.executionReconciliation is not None:
        evidence = {
            "continuationDelivery": "pending",
            "executionReconciliation": {
                "runId": str(body.executionReconciliation.runId),
                "actorId": actor.activity_id,
                "recordedAt": iso(now),
                "actionOutcome": body.executionReconciliation.actionOutcome,
                "outcomeEvidence": body.executionReconciliation.outcomeEvidence,
                "providerStopped": True,
            },
        }
    status = "cancelled" if body.outcome == "cancelled" else "resolved"
    outcome = "handed_back" if body.outcome == "restored" else body.outcome
    closed = await queries.CLOSE_RECOVERY_ACTION.fetchrow(
        session,
        id=action["id"],
        status=status,
        outcome=outcome,
        note=body.resolutionNote,
        evidence=evidence,
        now=now,
    )
    assert closed is not None

    # fresh under the action's lock: the run's ending or a checkout may have changed it since
    current = await find_issue(session, str(issue["id"]), for_update=True)
    target = body.sourceIssueStatus
    changes: dict[str, Any] = {}
    row: dict[str, Any] = dict(current)
    if current["status"] != target:
        effects = status_effects(current["status"], target, now)
        updated = await queries.SET_RECOVERED_ISSUE_STATUS.fetchrow(
            session,
            id=issue["id"],
            status=target,
            started_at=effects.get("started_at"),
            set_completed="completed_at" in effects,
            completed_at=effects.get("completed_at"),
            set_cancelled="cancelled_at" in effects,
            cancelled_at=effects.get("cancelled_at"),
            unlock="checkout_run_id" in effects,
            now=now,
        )
        assert updated is not None
        row = updated
        changes["status"] = {"from": current["status"], "to": target}
        await record(
            session,
            actor,
            company_id=issue["company_id"],
            action="issue.updated",
            entity_type="issue",
            entity_id=issue["id"],
            details={
                "source": "recovery_action_resolution",
                "status": target,
                "_previous": {"status": current["status"]},
                "identifier": row["identifier"],
                "recoveryActionId": str(action["id"]),
            },
        )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.recovery_action_resolved",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "outcome": outcome,
            "identifier": row["identifier"],
            "resolutionNote": body.resolutionNote,
            "recoveryActionId": str(action["id"]),
            "sourceIssueStatus": target,
            "recoveryActionStatus": status,
        },
    )
    wakes = Wakes(actor, issue["company_id"], now)
    if changes and target in ISSUE_TERMINAL:
        await wakes.became_terminal(session, row["id"], target, row["parent_id"])
    if body.outcome == "restored" and row["assignee_agent_id"] is not None:
        key = str(issue["id"])  # the task goes on: its owner is woken to continue it
        await wakes.wake(
            session,
            row["assignee_agent_id"],
            source="automation",
            reason="issue_recovery_action_restored",
            payload={"issueId": key, "recoveryActionId": str(action["id"])},
            context={
                "issueId": key,
                "taskId": key,
                "taskKey": key,
                "source": "execution.reconciled",
                "recoveryActionId": str(action["id"]),
                "retryOfRunId": uid(action["run_id"]),
                "forceFreshSession": True,
            },
        )
    labels = await queries.LABELS_OF_ISSUE.fetchval(session, id=issue["id"])
    wire = issue_to_wire(row, labels)
    wire["changes"] = changes
    wire["activeRecoveryAction"] = None
    return {"issue": wire, "recoveryAction": action_to_wire(closed)}


async def settle_actions(session: AsyncSession, now: datetime) -> int:
    """The scheduler's tick (server/runtime.py `scheduler_ticks`): settle what nobody resolved."""
    return len(await queries.SETTLE_RECOVERY_ACTIONS.fetch(session, now=now))

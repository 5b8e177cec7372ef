"""Tree control (`/issues/:id/tree-control/*`, `/issues/:id/tree-holds*`): an operator pauses, cancels,
resumes or restores an issue together with everything under it, at the original's routes and shapes.

A `pause` hold is enforced where work would start: the checkout statement, the comment statement and
the issue wake-up's admission all ask `paperclip.db.tree_holds` whether the issue or one of its
ancestors is the root of an active pause hold (so issues created under a paused root are held too).
A pause or cancel also cancels the queued and running runs of the issues it affects (the runner stops
a running one's process when the transaction commits), as the original does.
`cancel` sets the open issues of the subtree to cancelled and remembers their statuses in the hold's
members; `restore` puts back what an active cancel hold cancelled and releases it. `resume` and
`restore` holds are records of the act: they are released as they are made.

Every change takes the root issue's row lock first, so two operators acting on one tree are serialised.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import datetime
from typing import Annotated, Any, Literal, cast

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Issue, IssueTreeHold, IssueTreeHoldMember
from paperclip.db.paging import Window
from paperclip.db.tree_holds import ISSUE_PAUSE_HOLD
from paperclip.errors import BadRequest, Conflict, NotFound
from paperclip.issues import queries
from paperclip.issues.identifiers import find_issue
from paperclip.runs.lifecycle import cancel_run
from paperclip.vocabulary import (
    ISSUE_TERMINAL,
    TREE_HOLD_MODES,
    TREE_HOLD_STATUSES,
    TreeHoldMode,
)
from paperclip.wire import iso, uid

HOLDS = cast(sa.Table, IssueTreeHold.__table__)
MEMBERS = cast(sa.Table, IssueTreeHoldMember.__table__)
ISSUES = cast(sa.Table, Issue.__table__)


class ReleasePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strategy: Literal["manual", "after_active_runs_finish"] = "manual"
    note: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None


Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
# a hold id as the original accepts it: an RFC 4122 UUID of version 1-5 in its dashed form (so not
# the nil UUID); anything else is "Invalid hold ID" (400), not a hold that is missing (404)
HOLD_ID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE
)
RESUMED = "Subtree resume applied."  # the release reasons the original records when none is given
RESTORED = "Restore operation applied"
RESTORED_CANCEL = "Restored by subtree restore operation"


class PreviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: TreeHoldMode
    releasePolicy: ReleasePolicy | None = None  # noqa: N815


class HoldCreate(PreviewBody):
    reason: Reason | None = None
    metadata: dict[str, Any] | None = None


class HoldRelease(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason | None = None
    releasePolicy: ReleasePolicy | None = None  # noqa: N815
    metadata: dict[str, Any] | None = None


def hold_to_wire(row: Any, members: list[Any] | None = None) -> dict[str, Any]:
    wire = {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "rootIssueId": str(row["root_issue_id"]),
        "mode": row["mode"],
        "status": row["status"],
        "reason": row["reason"],
        "releasePolicy": row["release_policy"],
        "createdByActorType": row["created_by_actor_type"],
        "createdByAgentId": uid(row["created_by_agent_id"]),
        "createdByUserId": row["created_by_user_id"],
        "createdByRunId": uid(row["created_by_run_id"]),
        "releasedAt": iso(row["released_at"]),
        "releasedByActorType": row["released_by_actor_type"],
        "releasedByAgentId": uid(row["released_by_agent_id"]),
        "releasedByUserId": row["released_by_user_id"],
        "releasedByRunId": uid(row["released_by_run_id"]),
        "releaseReason": row["release_reason"],
        "releaseMetadata": row["release_metadata"],
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }
    if members is not None:
        wire["members"] = [member_to_wire(m) for m in members]
    return wire


def member_to_wire(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "holdId": str(row["hold_id"]),
        "issueId": str(row["issue_id"]),
        "parentIssueId": uid(row["parent_issue_id"]),
        "depth": row["depth"],
        "issueIdentifier": row["issue_identifier"],
        "issueTitle": row["issue_title"],
        "issueStatus": row["issue_status"],
        "assigneeAgentId": uid(row["assignee_agent_id"]),
        "assigneeUserId": row["assignee_user_id"],
        "activeRunId": uid(row["active_run_id"]),
        "activeRunStatus": row["active_run_status"],
        "skipped": row["skipped"],
        "skipReason": row["skip_reason"],
        "createdAt": iso(row["created_at"]),
    }


async def _issue(
    session: AsyncSession, actor: Actor, ref: str, *, lock: bool = False, root: bool = True
) -> Any:
    actor.require_authenticated()
    try:
        issue = await find_issue(session, ref, for_update=lock)
    except NotFound:
        raise NotFound("Root issue not found" if root else "Issue not found") from None
    actor.require_company(issue["company_id"])
    return issue


# ---------------------------------------------------------------- reads


async def state(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    issue = await _issue(session, actor, ref, root=False)
    held = await ISSUE_PAUSE_HOLD.fetchrow(session, issue["id"])
    if held is None:
        return {"activePauseHold": None}
    return {
        "activePauseHold": {
            "holdId": str(held["hold_id"]),
            "rootIssueId": str(held["hold_root_issue_id"]),
            "issueId": str(issue["id"]),
            "isRoot": held["hold_is_root"],
            "mode": "pause",
            "reason": held["hold_reason"],
            "releasePolicy": held["hold_release_policy"],
        }
    }


async def _members(session: AsyncSession, hold_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    grouped: dict[uuid.UUID, list[Any]] = {hold_id: [] for hold_id in hold_ids}
    if hold_ids:
        rows = await session.execute(
            sa.select(MEMBERS)
            .join(ISSUES, ISSUES.c.id == MEMBERS.c.issue_id)
            .where(MEMBERS.c.hold_id.in_(hold_ids))
            .order_by(MEMBERS.c.depth, ISSUES.c.issue_number, MEMBERS.c.id)
        )
        for row in rows.mappings():
            grouped[row["hold_id"]].append(row)
    return grouped


async def list_holds(
    session: AsyncSession,
    actor: Actor,
    ref: str,
    status: str | None,
    mode: str | None,
    include_members: bool,
    window: Window | None = None,
) -> list[dict[str, Any]]:
    # the original ignores a value it does not know and answers every hold; a filter is refused instead
    if status is not None and status not in TREE_HOLD_STATUSES:
        raise BadRequest(
            f"Invalid status filter: {status} (expected one of {', '.join(sorted(TREE_HOLD_STATUSES))})"
        )
    if mode is not None and mode not in TREE_HOLD_MODES:
        raise BadRequest(
            f"Invalid mode filter: {mode} (expected one of {', '.join(sorted(TREE_HOLD_MODES))})"
        )
    issue = await _issue(session, actor, ref)
    query = sa.select(HOLDS).where(HOLDS.c.root_issue_id == issue["id"])
    if status is not None:
        query = query.where(HOLDS.c.status == status)
    if mode is not None:
        query = query.where(HOLDS.c.mode == mode)
    query = query.order_by(HOLDS.c.created_at, HOLDS.c.id)
    rows = list((await session.execute(window.apply(query) if window else query)).mappings())
    if not include_members:
        return [hold_to_wire(row) for row in rows]
    members = await _members(session, [row["id"] for row in rows])
    return [hold_to_wire(row, members[row["id"]]) for row in rows]


async def _find_hold(session: AsyncSession, issue: Any, hold_ref: str, *, lock: bool = False) -> Any:
    if not HOLD_ID.match(hold_ref):
        raise BadRequest("Invalid hold ID")
    query = sa.select(HOLDS).where(HOLDS.c.id == uuid.UUID(hold_ref), HOLDS.c.root_issue_id == issue["id"])
    row = (await session.execute(query.with_for_update() if lock else query)).mappings().first()
    if row is None:
        raise NotFound("Issue tree hold not found")
    return row


async def get_hold(session: AsyncSession, actor: Actor, ref: str, hold_ref: str) -> dict[str, Any]:
    issue = await _issue(session, actor, ref)
    row = await _find_hold(session, issue, hold_ref)
    return hold_to_wire(row, (await _members(session, [row["id"]]))[row["id"]])


# ---------------------------------------------------------------- preview


async def _covering_holds(
    session: AsyncSession, root: Any, ids: list[uuid.UUID]
) -> tuple[list[Any], list[Any]]:
    """(active holds rooted inside the subtree, active holds rooted above it)."""
    inside = list(
        (
            await session.execute(
                sa.select(HOLDS.c.id, HOLDS.c.mode, HOLDS.c.root_issue_id)
                .where(HOLDS.c.root_issue_id.in_(ids), HOLDS.c.status == "active")
                .order_by(HOLDS.c.created_at, HOLDS.c.id)
            )
        ).mappings()
    )
    return inside, await queries.ANCESTOR_HOLDS.fetch(session, root["id"])


async def _cancelled_by(session: AsyncSession, hold_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """issue id -> its member row in the (active cancel) holds given: what restore puts back."""
    if not hold_ids:
        return {}
    rows = await session.execute(
        sa.select(MEMBERS)
        .where(MEMBERS.c.hold_id.in_(hold_ids), ~MEMBERS.c.skipped)
        .order_by(MEMBERS.c.created_at)
    )
    return {row["issue_id"]: row for row in rows.mappings()}


async def _plan(
    session: AsyncSession, issue: Any, mode: str, policy: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """The preview of `mode` over the subtree; also the subtree rows and the holds involved."""
    rows = await queries.SUBTREE.fetch(session, issue["id"])
    ids = [row["id"] for row in rows]
    inside, above = await _covering_holds(session, issue, ids)
    rooted: dict[uuid.UUID, list[Any]] = {}
    for hold in inside:
        rooted.setdefault(hold["root_issue_id"], []).append(hold)
    parent_of = {row["id"]: row["parent_id"] for row in rows}
    cancel_holds = [h["id"] for h in [*inside, *above] if h["mode"] == "cancel"]
    cancelled = await _cancelled_by(session, cancel_holds)

    def covering(issue_id: uuid.UUID) -> list[Any]:
        found: list[Any] = []
        node: uuid.UUID | None = issue_id
        while node is not None and node in parent_of:
            found.extend(rooted.get(node, []))
            node = parent_of[node] if node != issue["id"] else None
        return found + list(above)

    entries, skipped_entries = [], []
    for row in rows:
        holds = covering(row["id"])
        paused = [h for h in holds if h["mode"] == "pause"]
        terminal = row["status"] in ISSUE_TERMINAL
        reason = None
        if mode == "pause":
            reason = "terminal_status" if terminal else ("already_held" if paused else None)
        elif mode == "resume":
            reason = "terminal_status" if terminal else (None if paused else "not_held")
        elif mode == "cancel":
            reason = "terminal_status" if terminal else None
        elif not (row["status"] == "cancelled" and row["id"] in cancelled):
            reason = "not_cancelled"
        active_run = _run_to_wire(row) if row["run_id"] is not None else None
        entry = {
            "id": str(row["id"]),
            "identifier": row["identifier"],
            "title": row["title"],
            "status": row["status"],
            "parentId": uid(row["parent_id"]) if row["id"] != issue["id"] else uid(issue["parent_id"]),
            "depth": row["depth"],
            "assigneeAgentId": uid(row["assignee_agent_id"]),
            "assigneeUserId": row["assignee_user_id"],
            "activeRun": active_run,
            "activeHoldIds": [str(h["id"]) for h in holds],
            "action": mode,
            "skipped": reason is not None,
            "skipReason": reason,
        }
        entries.append(entry)
        if reason is not None:
            skipped_entries.append(entry)
    affected = [row for row, entry in zip(rows, entries, strict=True) if not entry["skipped"]]
    agents: dict[str, dict[str, Any]] = {}
    for row in affected:
        if row["assignee_agent_id"] is not None:
            slot = agents.setdefault(
                str(row["assignee_agent_id"]),
                {"agentId": str(row["assignee_agent_id"]), "issueCount": 0, "activeRunCount": 0},
            )
            slot["issueCount"] += 1
            slot["activeRunCount"] += 1 if row["run_id"] is not None else 0  # queued or running
    # as the original: the live runs of the whole subtree (skipped issues too), newest first
    with_runs = sorted((row for row in rows if row["run_id"] is not None), key=lambda r: r["run_created_at"])
    runs = [_run_to_wire(row) for row in reversed(with_runs)]
    preview = {
        "companyId": str(issue["company_id"]),
        "rootIssueId": str(issue["id"]),
        "mode": mode,
        "generatedAt": iso(now),
        "releasePolicy": policy,
        "totals": {
            "totalIssues": len(rows),
            "affectedIssues": len(affected),
            "skippedIssues": len(skipped_entries),
            "activeRuns": sum(1 for r in runs if r["status"] == "running"),
            "queuedRuns": sum(1 for r in runs if r["status"] == "queued"),
            "affectedAgents": len(agents),
        },
        "countsByStatus": dict(Counter(row["status"] for row in rows)),
        "issues": entries,
        "skippedIssues": skipped_entries,
        "activeRuns": runs,
        "affectedAgents": list(agents.values()),
        "warnings": _warnings(mode, affected, [*inside, *above], runs),
    }
    involved = {"inside": inside, "cancelled": cancelled, "affected": affected}
    return preview, rows, involved


def _run_to_wire(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["run_id"]),
        "issueId": str(row["id"]),
        "agentId": uid(row["run_agent_id"]),
        "status": row["run_status"],
        "startedAt": iso(row["run_started_at"]),
        "createdAt": iso(row["run_created_at"]),
    }


def _warnings(mode: str, affected: list[Any], holds: list[Any], runs: list[Any]) -> list[dict[str, Any]]:
    warnings: list[dict[str, Any]] = []
    affected_ids = {str(row["id"]) for row in affected}
    for status in ("running", "queued"):
        issue_ids = [r["issueId"] for r in runs if r["status"] == status and r["issueId"] in affected_ids]
        if issue_ids:
            warnings.append(
                {
                    "code": f"{status}_runs_present",
                    "message": f"Some affected issues have {status} heartbeat runs.",
                    "issueIds": issue_ids,
                }
            )
    if not affected:
        warnings.append(
            {
                "code": "no_affected_issues",
                "message": "No issues in this subtree match the requested control action.",
            }
        )
    if mode == "resume" and not any(h["mode"] == "pause" for h in holds):
        warnings.append(
            {"code": "no_active_pause_holds", "message": "No active pause holds were found in this subtree."}
        )
    return warnings


def _policy(body: Any) -> dict[str, Any]:
    policy = body.releasePolicy or ReleasePolicy()
    return policy.model_dump(exclude_none=True)


def _log_totals(preview: dict[str, Any]) -> dict[str, Any]:
    return {"totals": preview["totals"], "warningCodes": [w["code"] for w in preview["warnings"]]}


async def preview(
    session: AsyncSession, actor: Actor, ref: str, body: PreviewBody, now: datetime
) -> dict[str, Any]:
    issue = await _issue(session, actor, ref)
    result, _rows, _involved = await _plan(session, issue, body.mode, _policy(body), now)
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.tree_control_previewed",
        entity_type="issue",
        entity_id=issue["id"],
        details={"mode": body.mode, **_log_totals(result)},
    )
    return result


# ---------------------------------------------------------------- changes


def _actor_columns(actor: Actor, prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}_actor_type": actor.activity_type,
        f"{prefix}_agent_id": actor.agent_id if actor.is_agent else None,
        f"{prefix}_user_id": actor.user_id if actor.is_board else None,
        f"{prefix}_run_id": actor.run_id if actor.is_agent else None,
    }


async def _release(
    session: AsyncSession, actor: Actor, hold_id: uuid.UUID, reason: str | None, metadata: Any, now: datetime
) -> Any:
    return (
        (
            await session.execute(
                sa.update(HOLDS)
                .where(HOLDS.c.id == hold_id)
                .values(
                    status="released",
                    released_at=now,
                    release_reason=reason,
                    release_metadata=metadata,
                    updated_at=now,
                    **_actor_columns(actor, "released_by"),
                )
                .returning(HOLDS)
            )
        )
        .mappings()
        .one()
    )


async def _interrupt_runs(
    session: AsyncSession, actor: Actor, hold: Any, mode: str, affected: list[Any], now: datetime
) -> None:
    """As the original: a pause or cancel stops the queued and running runs of the issues it affects
    (whatever the release policy), each with an activity entry naming the hold."""
    who = "a board operator" if actor.is_board else "an agent"
    reason = "active_subtree_pause_hold" if mode == "pause" else "subtree_cancel_operation"
    for run_id in sorted(row["run_id"] for row in affected if row["run_id"] is not None):
        if await cancel_run(session, run_id, message=f"Cancelled by {who}'s subtree {mode}", now=now) is None:
            continue  # ended meanwhile
        await record(
            session,
            actor,
            company_id=hold["company_id"],
            action="issue.tree_hold_run_interrupted",
            entity_type="heartbeat_run",
            entity_id=run_id,
            details={"holdId": str(hold["id"]), "reason": reason, "rootIssueId": str(hold["root_issue_id"])},
        )


async def create_hold(
    session: AsyncSession, actor: Actor, ref: str, body: HoldCreate, now: datetime
) -> tuple[dict[str, Any], int]:
    issue = await _issue(session, actor, ref, lock=True)  # one tree change at a time per root
    mode = body.mode
    plan, rows, involved = await _plan(session, issue, mode, _policy(body), now)
    record_only = mode in ("resume", "restore")  # released as made: the record of the act
    hold = (
        (
            await session.execute(
                sa.insert(HOLDS)
                .values(
                    company_id=issue["company_id"],
                    root_issue_id=issue["id"],
                    mode=mode,
                    status="active",
                    reason=body.reason,
                    release_policy=_policy(body),
                    metadata=body.metadata,
                    created_at=now,
                    updated_at=now,
                    **_actor_columns(actor, "created_by"),
                )
                .returning(HOLDS)
            )
        )
        .mappings()
        .one()
    )
    entries = {entry["id"]: entry for entry in plan["issues"]}
    if rows:
        await session.execute(
            sa.insert(MEMBERS),
            [
                dict(
                    company_id=issue["company_id"],
                    hold_id=hold["id"],
                    issue_id=row["id"],
                    parent_issue_id=row["parent_id"] if row["id"] != issue["id"] else issue["parent_id"],
                    depth=row["depth"],
                    issue_identifier=row["identifier"],
                    issue_title=row["title"],
                    issue_status=row["status"],
                    assignee_agent_id=row["assignee_agent_id"],
                    assignee_user_id=row["assignee_user_id"],
                    active_run_id=row["run_id"],
                    active_run_status=row["run_status"],
                    skipped=entries[str(row["id"])]["skipped"],
                    skip_reason=entries[str(row["id"])]["skipReason"],
                    created_at=now,
                )
                for row in rows
            ],
        )
    common = dict(company_id=issue["company_id"], entity_type="issue", entity_id=issue["id"])
    extra: dict[str, Any] = {}
    release_metadata: dict[str, Any] | None = None
    affected_ids = [row["id"] for row in involved["affected"]]
    if mode in ("pause", "cancel"):
        await _interrupt_runs(session, actor, hold, mode, involved["affected"], now)
    if mode == "cancel" and affected_ids:
        await session.execute(
            sa.update(ISSUES)
            .where(ISSUES.c.id.in_(affected_ids))
            .values(
                status="cancelled",
                cancelled_at=now,
                checkout_run_id=None,
                execution_run_id=None,
                execution_locked_at=None,
                updated_at=now,
            )
        )
        await record(
            session,
            actor,
            action="issue.tree_cancel_status_updated",
            details={
                "holdId": str(hold["id"]),
                "cancelledIssueIds": [str(i) for i in affected_ids],
                "cancelledIssueCount": len(affected_ids),
            },
            **common,
        )
    if mode == "resume":
        pauses = [h["id"] for h in involved["inside"] if h["mode"] == "pause"]
        for pause_id in pauses:
            await _release(
                session,
                actor,
                pause_id,
                body.reason or RESUMED,
                {
                    "resumeHoldMode": "tree_resume",
                    "resumedPauseHoldId": str(pause_id),
                    "resumedByResumeHoldId": str(hold["id"]),
                },
                now,
            )
        extra["resumedPauseHoldIds"] = [str(p) for p in pauses]
        release_metadata = {"resumeMode": "subtree", "resumedPauseHoldIds": extra["resumedPauseHoldIds"]}
    if mode == "restore":
        cancelled = involved["cancelled"]
        for row in involved["affected"]:
            before = cancelled[row["id"]]["issue_status"]
            await session.execute(
                sa.update(ISSUES)
                .where(ISSUES.c.id == row["id"])
                .values(
                    status="todo" if before in ("in_progress", "cancelled", "done") else before,
                    cancelled_at=None,
                    updated_at=now,
                )
            )
        released = [h["id"] for h in involved["inside"] if h["mode"] == "cancel"]
        for cancel_id in released:
            await _release(
                session,
                actor,
                cancel_id,
                body.reason or RESTORED_CANCEL,
                {"restoreHoldId": str(hold["id"]), "restoredIssueIds": [str(i) for i in affected_ids]},
                now,
            )
        release_metadata = {
            "restoredIssueIds": [str(i) for i in affected_ids],
            "releasedCancelHoldIds": [str(h) for h in released],
        }
        await record(
            session,
            actor,
            action="issue.tree_restore_status_updated",
            details={
                "holdId": str(hold["id"]),
                "restoredIssueIds": [str(i) for i in affected_ids],
                "restoredIssueCount": len(affected_ids),
                "releasedCancelHoldIds": [str(h) for h in released],
            },
            **common,
        )
    if record_only:
        default = RESUMED if mode == "resume" else RESTORED
        hold = await _release(session, actor, hold["id"], body.reason or default, release_metadata, now)
    await record(
        session,
        actor,
        action="issue.tree_hold_created",
        details={"mode": mode, "holdId": str(hold["id"]), "reason": body.reason, **_log_totals(plan)},
        **common,
    )
    members = (await _members(session, [hold["id"]]))[hold["id"]]
    status = 200 if record_only else 201
    return {"hold": hold_to_wire(hold, members), "preview": plan, **extra}, status


async def release_hold(
    session: AsyncSession, actor: Actor, ref: str, hold_ref: str, body: HoldRelease, now: datetime
) -> dict[str, Any]:
    issue = await _issue(session, actor, ref, lock=True)
    hold = await _find_hold(session, issue, hold_ref, lock=True)
    if hold["status"] != "active":
        raise Conflict("Issue tree hold is already released")
    released = await _release(session, actor, hold["id"], body.reason, body.metadata, now)
    members = (await _members(session, [hold["id"]]))[hold["id"]]
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.tree_hold_released",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "mode": hold["mode"],
            "holdId": str(hold["id"]),
            "reason": body.reason,
            "memberCount": len(members),
        },
    )
    return hold_to_wire(released, members)

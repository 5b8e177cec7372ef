"""GET /issues/:id/diagnostics/blockers: why an issue waits on its blockers, in the original's shape and
words (its `diagnosis` sentences, checked side by side). Blockers are `issue_relations` rows of type
`blocks` (issues/blockers.py); only a `done` blocker is resolved. The first unresolved blocker, in the
order the relations were made, is the one the diagnosis names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.issues import queries
from paperclip.issues.identifiers import find_issue
from paperclip.issues.wire import BLOCKER_SUMMARY

MAX_BLOCKERS = 100


# A blocker as the issue lists and the detail view name it (wire.BLOCKER_SUMMARY, made in SQL there).
_summary = BLOCKER_SUMMARY.python()


def _flags(status: str) -> list[str]:
    if status == "done":
        return ["done_but_blocking"]
    if status == "cancelled":
        return ["cancelled_blocker_in_set"]
    return []


def _diagnosis(issue: Any, blockers: list[Any]) -> str | None:
    name = issue["identifier"]
    unresolved = [b for b in blockers if b["status"] != "done"]
    if unresolved:
        first = unresolved[0]
        sentence = f"{name} is blocked by {first['identifier']}, which is {first['status']}"
        if first["status"] == "cancelled":
            return (
                sentence
                + "; cancelled blockers do not resolve until the blocker relation is removed or replaced."
            )
        return sentence + "."
    if blockers and issue["status"] == "blocked":
        return f"All blockers for {name} are resolved, but the issue is still blocked; this is likely a stale blocker hold."
    return None


async def blockers(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    rows = await queries.BLOCKERS_OF_ISSUE.fetch(session, issue_id=issue["id"], lim=MAX_BLOCKERS + 1)
    truncated = len(rows) > MAX_BLOCKERS
    rows = rows[:MAX_BLOCKERS]
    unresolved = sum(1 for r in rows if r["status"] != "done")
    return {
        "issue": _summary(issue),
        "diagnosis": _diagnosis(issue, rows),
        "readiness": {
            "allBlockersDone": unresolved == 0,
            "isDependencyReady": unresolved == 0,
            "unresolvedBlockerCount": unresolved,
            "pendingFinalizeBlockerCount": 0,
        },
        "blockers": [
            {
                **_summary(r),
                "isUnresolved": r["status"] != "done",
                "isPendingFinalize": False,
                "isDependencyReady": r["status"] == "done",
                "flags": _flags(r["status"]),
            }
            for r in rows
        ],
        "omittedUnauthorizedBlockerCount": 0,
        "truncated": truncated,
        "caps": {"maxBlockers": MAX_BLOCKERS},
    }


# ---------------------------------------------------------------- wakes and subtree
# GET /issues/:id/diagnostics/wakes and /subtree, in the original's shapes and sentences (recorded
# side by side). Wake requests are matched to an issue by their payload's issueId (or its context
# snapshot's, or their run's); reasons outside the issue-related set read "other", as there.
LOOKBACK_DAYS = 14
MAX_WAKES = 50
MAX_ACTIVITY = 50
SUBTREE_DEPTH = 8
SUBTREE_NODES = 100
NODE_BLOCKERS = 20
NODE_WAKES = 5
NODE_ACTIVITY = 5
_REASONS = {"issue_assigned", "issue_commented", "missing_issue_comment"}
_FAILURE_CLASSES = {"failed", "skipped", "cancelled", "timed_out"}


def _iso(ts: Any) -> str | None:
    if ts is None:
        return None
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _reason(reason: str | None) -> str:
    return reason if reason in _REASONS else "other"


def _wake_event(w: Any) -> dict[str, Any]:
    return {
        "kind": "wake_request",
        "agentId": w["agent_id"],
        "source": w["source"],
        "reason": _reason(w["reason"]),
        "status": w["status"],
        "coalescedCount": w["coalesced_count"],
        "runId": w["run_id"],
        "requestedAt": _iso(w["requested_at"]),
        "claimedAt": _iso(w["claimed_at"]),
        "finishedAt": _iso(w["finished_at"]),
        "failureClass": w["status"] if w["status"] in _FAILURE_CLASSES else None,
    }


def _wake_diagnosis(
    name: str, events: list[dict[str, Any]], truncated: bool, cap: int, acap: int
) -> str | None:
    if truncated:
        return (
            f"Wake diagnostics for {name} are truncated to {cap} wake requests and {acap} activity records"
            f" over {LOOKBACK_DAYS} days, so the diagnosis only covers returned records."
        )
    if not events:
        return None
    last = events[0]
    if last["status"] == "failed":
        return f"The most recent wake for {name} failed for {last['reason']}; raw error text is withheld."
    return f"The most recent wake for {name} {last['status']} for {last['reason']}."


async def _wakes_by_issue(
    session: AsyncSession, company_id: Any, issue_ids: list[Any], now: datetime
) -> dict[str, list[Any]]:
    rows = await queries.WAKES_OF_ISSUES.fetch(
        session,
        company_id=company_id,
        since=now - timedelta(days=LOOKBACK_DAYS),
        issue_ids=[str(i) for i in issue_ids],
    )
    out: dict[str, list[Any]] = {}
    for r in rows:
        out.setdefault(r["issue_id"], []).append(r)
    return out


async def wakes(session: AsyncSession, actor: Actor, ref: str, now: datetime) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    rows = (await _wakes_by_issue(session, issue["company_id"], [issue["id"]], now)).get(str(issue["id"]), [])
    truncated = len(rows) > MAX_WAKES
    events = [_wake_event(w) for w in rows[:MAX_WAKES]]
    diagnosis = _wake_diagnosis(issue["identifier"], events, truncated, MAX_WAKES, MAX_ACTIVITY)
    return {
        "issue": _summary(issue),
        "diagnosis": diagnosis,
        "likelyReason": diagnosis,
        "events": events,
        "wakeRequestCount": len(events),
        "activityRecordCount": 0,
        "truncated": truncated,
        "truncatedSections": {"wakeRequests": truncated, "activityRecords": False},
        "caps": {
            "maxWakeRequests": MAX_WAKES,
            "maxActivityRecords": MAX_ACTIVITY,
            "lookbackDays": LOOKBACK_DAYS,
        },
    }


def _readiness(rows: list[Any]) -> dict[str, Any]:
    unresolved = sum(1 for r in rows if r["status"] != "done")
    return {
        "allBlockersDone": unresolved == 0,
        "isDependencyReady": unresolved == 0,
        "unresolvedBlockerCount": unresolved,
        "pendingFinalizeBlockerCount": 0,
    }


def _blocker(r: Any) -> dict[str, Any]:
    return {
        **_summary(r),
        "isUnresolved": r["status"] != "done",
        "isPendingFinalize": False,
        "isDependencyReady": r["status"] == "done",
        "flags": _flags(r["status"]),
    }


async def subtree(session: AsyncSession, actor: Actor, ref: str, now: datetime) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    rows = await queries.SUBTREE_OF_ISSUE.fetch(
        session,
        issue_id=issue["id"],
        company_id=issue["company_id"],
        max_depth=SUBTREE_DEPTH,
        lim=SUBTREE_NODES + 1,
    )
    nodes_cut = len(rows) > SUBTREE_NODES
    rows = rows[:SUBTREE_NODES]
    deepest = [r["id"] for r in rows if r["depth"] == SUBTREE_DEPTH]
    depth_cut = bool(deepest) and bool(await queries.HAS_CHILDREN.fetchval(session, ids=deepest))
    wakes_of = await _wakes_by_issue(session, issue["company_id"], [r["id"] for r in rows], now)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for r in rows:
        brows = await queries.BLOCKERS_OF_ISSUE.fetch(session, issue_id=r["id"], lim=NODE_BLOCKERS + 1)
        blockers_cut = len(brows) > NODE_BLOCKERS
        brows = brows[:NODE_BLOCKERS]
        wrows = wakes_of.get(str(r["id"]), [])
        wakes_cut = len(wrows) > NODE_WAKES
        events = [_wake_event(w) for w in wrows[:NODE_WAKES]]
        diagnosis = _diagnosis(r, brows) or _wake_diagnosis(
            r["identifier"], events, wakes_cut, NODE_WAKES, NODE_ACTIVITY
        )
        nodes.append(
            {
                "issue": _summary(r),
                "parentId": r["parent_id"] if r["depth"] > 0 else None,
                "depth": r["depth"],
                "diagnosis": diagnosis,
                "likelyReason": diagnosis,
                "blockers": [_blocker(b) for b in brows],
                "blockerReadiness": _readiness(brows),
                "omittedUnauthorizedBlockerCount": 0,
                "wakeEvents": events,
                "wakeRequestCount": len(events),
                "activityRecordCount": 0,
                "truncated": blockers_cut or wakes_cut,
                "truncatedSections": {
                    "blockers": blockers_cut,
                    "wakeRequests": wakes_cut,
                    "activityRecords": False,
                },
            }
        )
        if r["depth"] > 0:
            edges.append(
                {
                    "kind": "parent",
                    "fromIssueId": r["parent_id"],
                    "toIssueId": r["id"],
                    "timestamp": r["created_at"],
                }
            )
        for w in wrows[:NODE_WAKES]:
            edges.append(
                {
                    "kind": "wake_request",
                    "issueId": r["id"],
                    "agentId": w["agent_id"],
                    "reason": _reason(w["reason"]),
                    "status": w["status"],
                    "timestamp": w["requested_at"],
                }
            )
    edges.sort(key=lambda e: e["timestamp"], reverse=True)
    for e in edges:
        e["timestamp"] = _iso(e["timestamp"])
    sections = {
        "nodes": nodes_cut,
        "depth": depth_cut,
        "blockers": any(n["truncatedSections"]["blockers"] for n in nodes),
        "wakeRequests": any(n["truncatedSections"]["wakeRequests"] for n in nodes),
        "activityRecords": False,
    }
    truncated = any(sections.values())
    name = issue["identifier"]
    if truncated:
        top: str | None = (
            f"Subtree diagnostics for {name} are bounded to depth {SUBTREE_DEPTH} and {SUBTREE_NODES} nodes,"
            " so the diagnosis only covers returned visible nodes."
        )
    else:
        top = next((n["diagnosis"] for n in nodes if n["diagnosis"]), None)
    return {
        "issue": _summary(issue),
        "diagnosis": top,
        "likelyReason": top,
        "nodes": nodes,
        "edges": edges,
        "nodeCount": len(nodes),
        "omittedUnauthorizedNodeCount": 0,
        "truncated": truncated,
        "truncatedSections": sections,
        "caps": {
            "maxDepth": SUBTREE_DEPTH,
            "maxNodes": SUBTREE_NODES,
            "maxBlockersPerNode": NODE_BLOCKERS,
            "maxWakeRequestsPerNode": NODE_WAKES,
            "maxActivityRecordsPerNode": NODE_ACTIVITY,
            "lookbackDays": LOOKBACK_DAYS,
        },
    }

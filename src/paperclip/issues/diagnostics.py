"""GET /issues/:id/diagnostics/blockers: why an issue waits on its blockers, in the original's shape and
words (its `diagnosis` sentences, checked side by side). Blockers are `issue_relations` rows of type
`blocks` (issues/blockers.py); only a `done` blocker is resolved. The first unresolved blocker, in the
order the relations were made, is the one the diagnosis names."""

from __future__ import annotations

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

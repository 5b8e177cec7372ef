"""Queued comments (the original's /issues/:id/queued-comments): comments posted while a run holds the
issue, waiting for the agent's next wake. Here they are the deferred wake-ups the comments made
(heartbeat/wakeups.py defers a wake-up while another run holds the issue; heartbeat/runs.py
`promote_deferred` turns them into the next run once the issue is free), so the queue is real: what
the board edits, reorders or discards here is what the next run receives.

The queue's id is its oldest deferred wake-up's id; its revision a digest of the entries (ids,
order, bodies), so a write from a page showing an older queue is the original's 409. Discarding a
comment deletes it and cancels its wake-up. `interrupt` cancels the run holding the issue (it must
be the `targetRunId` the page saw) so the queue is delivered at once; `steer` (into a live session)
is refused as the original refuses it for legacy runs: no adapter here keeps a session to steer.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.rawsql import Sql
from paperclip.errors import Conflict
from paperclip.heartbeat.service import cancel_run
from paperclip.issues.identifiers import find_issue
from paperclip.issues.shapes import comment_to_wire
from paperclip.storage.cleanup import forget_unreferenced_images

# The original's revision string of an empty legacy queue (the same for every issue).
EMPTY_QUEUE_REVISION = "5e99497165f934b249e2d2ffb7532e93"
REVISION_CONFLICT = ("The queued messages changed in another session", "queued_comment_revision_conflict")
NOT_PENDING = ("The queued message is no longer pending", "queued_comment_not_pending")
ORDER_MISMATCH = (
    "The queued message order does not match the current queue",
    "queued_comment_order_mismatch",
)
STEER_REFUSED = "Steering targets a different or inactive execution"

_QUEUE_SQL = """
SELECT w.id AS request_id, w.requested_at, c.*,
       (SELECT r.id FROM heartbeat_runs r JOIN issues i ON i.execution_run_id = r.id
        WHERE i.id = :issue_id AND r.status IN ('queued', 'running')) AS target_run_id
FROM agent_wakeup_requests w
JOIN issue_comments c ON c.id = CAST(w.payload -> 'contextSnapshot' ->> 'wakeCommentId' AS uuid)
WHERE w.company_id = :company_id AND w.status = 'deferred_issue_execution'
  AND w.payload -> 'contextSnapshot' ->> 'issueId' = CAST(:issue_id AS text)
ORDER BY COALESCE(CAST(w.payload ->> 'queuePosition' AS integer), 2147483647), w.requested_at, w.id
"""
_QUEUE = Sql(_QUEUE_SQL + "FOR UPDATE OF w")
_QUEUE_READ = Sql(_QUEUE_SQL)
_EDIT = Sql("UPDATE issue_comments SET body = :body, updated_at = :now WHERE id = :id")
_DELETE = Sql("DELETE FROM issue_comments WHERE id = :id")
_CANCEL_WAKES = Sql("""
UPDATE agent_wakeup_requests SET status = 'cancelled', finished_at = :now, updated_at = :now,
       error = 'queued comment discarded'
WHERE id = ANY(:ids) AND status = 'deferred_issue_execution'
""")
_POSITION = Sql("""
UPDATE agent_wakeup_requests
SET payload = jsonb_set(COALESCE(payload, '{}'::jsonb), '{queuePosition}', to_jsonb(CAST(:position AS integer))),
    updated_at = :now
WHERE id = ANY(:ids)
""")


class _Queue:
    """The queue's entries (one per comment, in order) and the wake-ups behind each."""

    def __init__(self, issue_id: uuid.UUID, rows: list[dict[str, Any]]):
        self.issue_id = issue_id
        self.comments: dict[uuid.UUID, dict[str, Any]] = {}
        self.requests: dict[uuid.UUID, list[uuid.UUID]] = {}
        for row in rows:  # a comment waking several agents has a wake-up per agent
            self.comments.setdefault(row["id"], row)
            self.requests.setdefault(row["id"], []).append(row["request_id"])
        self.target_run_id = rows[0]["target_run_id"] if rows else None
        # the oldest wake-up names the queue
        oldest = min(rows, key=lambda r: (r["requested_at"], str(r["request_id"]))) if rows else None
        self.queue_id = oldest["request_id"] if oldest else None

    @property
    def revision(self) -> str:
        if not self.comments:
            return EMPTY_QUEUE_REVISION
        digest = hashlib.md5(str(self.queue_id).encode(), usedforsecurity=False)
        for cid, row in self.comments.items():
            digest.update(f"|{cid}|{row['updated_at'].isoformat()}|".encode())
            digest.update(row["body"].encode())
        return digest.hexdigest()

    def to_wire(self, actor: Actor) -> dict[str, Any]:
        entries = []
        for position, row in enumerate(self.comments.values()):
            own = actor.is_board or (actor.is_agent and row["author_agent_id"] == actor.agent_id)
            entries.append(
                {"comment": comment_to_wire(row), "position": position, "canEdit": own, "canDiscard": own}
            )
        return {
            "issueId": str(self.issue_id),
            "queueId": str(self.queue_id) if self.queue_id else None,
            "state": "deferred" if self.comments else None,
            "targetRunId": str(self.target_run_id) if self.target_run_id else None,
            "revision": self.revision,
            "protocol": "legacy",
            "steeringDisposition": "unsupported",
            "entries": entries,
        }


def _conflict(which: tuple[str, str]) -> Conflict:
    message, code = which
    error = Conflict(message, {"code": code})
    error.wire_body = {"error": message, "code": code, "details": {"code": code}}  # type: ignore[attr-defined]
    return error


async def _load(session: AsyncSession, actor: Actor, ref: str, *, lock: bool) -> tuple[Any, _Queue]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    rows = await (_QUEUE if lock else _QUEUE_READ).fetch(
        session, issue_id=issue["id"], company_id=issue["company_id"]
    )
    return issue, _Queue(issue["id"], rows)


async def queued_comments(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    _issue, queue = await _load(session, actor, ref, lock=False)
    return queue.to_wire(actor)


async def _current(
    session: AsyncSession, actor: Actor, ref: str, queue_id: str, revision: str
) -> tuple[Any, _Queue]:
    issue, queue = await _load(session, actor, ref, lock=True)
    if str(queue.queue_id) != queue_id or queue.revision != revision:
        raise _conflict(REVISION_CONFLICT)
    return issue, queue


def _entry(queue: _Queue, actor: Actor, comment_ref: str) -> dict[str, Any]:
    row = next((r for cid, r in queue.comments.items() if str(cid) == comment_ref), None)
    if row is None:
        raise _conflict(NOT_PENDING)
    if not (actor.is_board or (actor.is_agent and row["author_agent_id"] == actor.agent_id)):
        raise _conflict(NOT_PENDING)
    return row


async def _log(
    session: AsyncSession, actor: Actor, issue: dict[str, Any], action: str, details: dict[str, Any]
) -> None:
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action=action,
        entity_type="issue",
        entity_id=issue["id"],
        details=details,
    )


async def edit(
    session: AsyncSession, actor: Actor, ref: str, comment_ref: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    issue, queue = await _load_checked(session, actor, ref, body)
    row = _entry(queue, actor, comment_ref)
    await _EDIT.execute(session, id=row["id"], body=body["body"], now=now)
    _issue, after = await _load(session, actor, ref, lock=True)
    await _log(
        session,
        actor,
        issue,
        "issue.queued_comment_edited",
        {"queueId": str(after.queue_id), "revision": after.revision, "commentId": str(row["id"])},
    )
    return after.to_wire(actor)


async def _load_checked(
    session: AsyncSession, actor: Actor, ref: str, body: dict[str, Any]
) -> tuple[Any, _Queue]:
    return await _current(session, actor, ref, body["queueId"], body["revision"])


async def discard(
    session: AsyncSession, actor: Actor, ref: str, comment_ref: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    issue, queue = await _load_checked(session, actor, ref, body)
    row = _entry(queue, actor, comment_ref)
    await _CANCEL_WAKES.execute(session, ids=queue.requests[row["id"]], now=now)
    await _DELETE.execute(session, id=row["id"])
    await forget_unreferenced_images(
        session, issue["company_id"], [row["body"]], f"comment {row['id']} discarded"
    )
    _issue, after = await _load(session, actor, ref, lock=True)
    await _log(
        session,
        actor,
        issue,
        "issue.queued_comment_discarded",
        {
            "queueId": str(queue.queue_id),
            "revision": after.revision,
            "commentId": str(row["id"]),
            "cancelledRunId": None,
        },
    )
    return after.to_wire(actor)


async def reorder(
    session: AsyncSession, actor: Actor, ref: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    issue, queue = await _load_checked(session, actor, ref, body)
    wanted = list(body["orderedCommentIds"])
    if sorted(wanted) != sorted(str(c) for c in queue.comments) or len(set(wanted)) != len(wanted):
        raise _conflict(ORDER_MISMATCH)
    for position, cid in enumerate(wanted):
        await _POSITION.execute(session, ids=queue.requests[uuid.UUID(cid)], position=position, now=now)
    _issue, after = await _load(session, actor, ref, lock=True)
    await _log(
        session,
        actor,
        issue,
        "issue.queued_comments_reordered",
        {"queueId": str(after.queue_id), "revision": after.revision, "orderedCommentIds": wanted},
    )
    return after.to_wire(actor)


async def interrupt(
    session: AsyncSession, actor: Actor, ref: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Stops the run holding the issue, so the queued comments wake the agent at once (the run's end
    promotes the deferred wake-ups). A run that already ended leaves the queue as it is."""
    issue, queue = await _load_checked(session, actor, ref, body)
    if queue.target_run_id is not None and str(queue.target_run_id) == body["targetRunId"]:
        await cancel_run(session, actor, queue.target_run_id, now)
        await _log(
            session,
            actor,
            issue,
            "issue.queued_comments_interrupted",
            {
                "queueId": str(queue.queue_id),
                "revision": queue.revision,
                "cancelledRunId": str(queue.target_run_id),
            },
        )
    return queue.to_wire(actor)


async def steer(
    session: AsyncSession, actor: Actor, ref: str, comment_ref: str, body: dict[str, Any]
) -> None:
    _issue, queue = await _load_checked(session, actor, ref, body)
    _entry(queue, actor, comment_ref)
    raise Conflict(STEER_REFUSED)

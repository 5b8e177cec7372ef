"""The wake context snapshot stored on a run: issue/task, reason, comment, approval (core §5.3)."""

from __future__ import annotations

from typing import Any

from paperclip.logging import REQUEST_ID

HEARTBEAT_TASK_KEY = "__heartbeat__"
FRESH_SESSION_REASONS = ("issue_assigned",)


def _first(*values: Any) -> Any:
    for value in values:
        if value not in (None, ""):
            return value
    return None


def build_snapshot(
    *,
    source: str,
    reason: str | None,
    trigger_detail: str | None,
    payload: dict[str, Any] | None,
    context: dict[str, Any] | None,
    actor_type: str | None,
    actor_id: str | None,
    force_fresh_session: bool = False,
) -> dict[str, Any]:
    payload = payload or {}
    ctx = dict(context or {})
    snapshot: dict[str, Any] = {
        "actorId": actor_id,
        "wakeSource": source,
        "wakeTriggerDetail": trigger_detail,
        "triggeredBy": {"user": "board", "agent": "agent"}.get(actor_type or "", "system"),
    }
    if reason:
        snapshot["wakeReason"] = reason
    if force_fresh_session:
        snapshot["forceFreshSession"] = True
    snapshot.update(ctx)
    issue_id = _first(ctx.get("issueId"), payload.get("issueId"))
    task_id = _first(ctx.get("taskId"), payload.get("taskId"), issue_id)
    if issue_id:
        snapshot["issueId"] = str(issue_id)
    if task_id:
        snapshot["taskId"] = str(task_id)
    comment = _first(ctx.get("wakeCommentId"), ctx.get("commentId"), payload.get("commentId"))
    if comment:
        snapshot["wakeCommentId"] = str(comment)
        snapshot.setdefault("commentId", str(comment))
    approval = _first(ctx.get("approvalId"), payload.get("approvalId"))
    if approval:
        snapshot["approvalId"] = str(approval)
    approval_status = _first(ctx.get("approvalStatus"), payload.get("approvalStatus"))
    if approval_status:
        snapshot["approvalStatus"] = str(approval_status)
    issue_ids = ctx.get("issueIds") or payload.get("issueIds")
    if issue_ids:
        snapshot["issueIds"] = [str(i) for i in issue_ids]
    snapshot["taskKey"] = str(_first(ctx.get("taskKey"), task_id) or HEARTBEAT_TASK_KEY)
    request_id = REQUEST_ID.get()
    if request_id is not None:
        # the HTTP request that asked for the run (X-Request-Id): the runner logs under it too
        snapshot.setdefault("requestId", request_id)
    return snapshot


def merge_snapshots(queued: dict[str, Any], latest: dict[str, Any]) -> dict[str, Any]:
    """Coalescing keeps the latest reason/comment while remembering every comment that woke the agent."""
    merged = {**queued, **{k: v for k, v in latest.items() if v is not None}}
    comments = list(
        queued.get("wakeCommentIds") or ([queued["wakeCommentId"]] if queued.get("wakeCommentId") else [])
    )
    if latest.get("wakeCommentId") and latest["wakeCommentId"] not in comments:
        comments.append(latest["wakeCommentId"])
    if comments:
        merged["wakeCommentIds"] = comments
    if queued.get("forceFreshSession") or latest.get("forceFreshSession"):
        merged["forceFreshSession"] = True
    return merged

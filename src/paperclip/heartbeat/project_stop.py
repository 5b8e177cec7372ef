"""A paused project (`projects.paused_at`, set by its budget hard stop) blocks its issues' work (§8.3):
wake-ups about its issues are skipped, their queued runs are not started (the runner's claim cancels
them), and its issues cannot be checked out (409).

Which issue a run concerns is the `issueId` of its context snapshot, read without a cast that could
fail on a malformed value (`snapshot_issue_id_sql`, with the claim that cancels such runs, in
paperclip/runs/queries.py).
"""

from __future__ import annotations

from typing import Any

from paperclip.runs.transitions import PROJECT_BUDGET_STOPPED, PROJECT_PAUSED

SKIP_REASON = "project_paused"  # agent_wakeup_requests.error of a skipped wake-up


def paused_message(pause_reason: str | None) -> str:
    return PROJECT_BUDGET_STOPPED if pause_reason == "budget" else PROJECT_PAUSED


def paused_details(project_id: Any, pause_reason: str | None) -> dict[str, Any]:
    return {"projectId": str(project_id), "pauseReason": pause_reason}

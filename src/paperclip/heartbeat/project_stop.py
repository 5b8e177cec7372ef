"""A paused project (`projects.paused_at`, set by its budget hard stop) blocks its issues' work (§8.3):
wake-ups about its issues are skipped, their queued runs are not started (the runner's claim cancels
them), and its issues cannot be checked out (409).

The SQL the hot paths embed is written here once: which issue a wake/run concerns is the
`issueId` of its context snapshot, read without a cast that could fail on a malformed value.
"""

from __future__ import annotations

from typing import Any

from paperclip.db.rawsql import Sql

SKIP_REASON = "project_paused"  # agent_wakeup_requests.error of a skipped wake-up
BUDGET_BLOCKED = "budget_blocked"  # heartbeat_runs.error_code of a run a budget stop cancelled
PROJECT_PAUSED = "Project is paused"
PROJECT_BUDGET_STOPPED = "Project is paused because its budget hard-stop was reached"

# A context snapshot's `issueId` as a uuid, or NULL when it is missing or not a uuid.
UUID_TEXT_RE = "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"


def snapshot_issue_id_sql(snapshot: str) -> str:
    """SQL: the issue id in the jsonb context snapshot expression `snapshot` (NULL if absent/malformed)."""
    value = f"({snapshot} ->> 'issueId')"
    return f"(CASE WHEN {value} ~ '{UUID_TEXT_RE}' THEN CAST({value} AS uuid) END)"


def paused_message(pause_reason: str | None) -> str:
    return PROJECT_BUDGET_STOPPED if pause_reason == "budget" else PROJECT_PAUSED


def paused_details(project_id: Any, pause_reason: str | None) -> dict[str, Any]:
    return {"projectId": str(project_id), "pauseReason": pause_reason}


# Wake-up admission: the project of the issue a wake concerns, share-locked so that a pause being
# committed is waited for and its paused_at read (the pause's transaction never waits for a wake-up
# lock, so this wait cannot deadlock). No row: the issue has no project (or does not exist).
ISSUE_PROJECT_FOR_WAKE = Sql("""
    SELECT p.id, p.paused_at IS NOT NULL AS paused, p.pause_reason
      FROM issues i JOIN projects p ON p.id = i.project_id
     WHERE i.id = $1
       FOR SHARE OF p
""")

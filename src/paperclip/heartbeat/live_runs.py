"""GET /api/companies/{id}/live-runs: the company's queued and running runs for the board's live
widgets, at the original's shape; `minCount` pads the list with the most recent finished runs so a
quiet company still shows its last activity."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.errors import NotFound
from paperclip.heartbeat import queries
from paperclip.heartbeat.shapes import process_started_iso
from paperclip.ids import parse_uuid
from paperclip.vocabulary import RUN_LIVE
from paperclip.wire import iso

_IDENTIFIER = re.compile(r"^[A-Za-z]{1,16}-\d{1,9}$")


# the original's per-run fields of things this server does not track (continuations, liveness
# classification, output and status streaming), as the original sends them for a run with none
_UNTRACKED: dict[str, Any] = {
    "runtimeMode": "legacy",
    "livenessState": None,
    "livenessReason": None,
    "continuationAttempt": 0,
    "lastUsefulActionAt": None,
    "nextAction": None,
    "lastOutputAt": None,
    "lastOutputSeq": 0,
    "lastOutputStream": None,
    "lastOutputBytes": None,
    "currentStatusMessage": None,
    "currentStatusUpdatedAt": None,
    "currentToolName": None,
    "lastAssistantSnippet": None,
    "lastEventAt": None,
}


def _wire(row: dict[str, Any]) -> dict[str, Any]:
    ctx = row["context_snapshot"] or {}
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "status": row["status"],
        "invocationSource": row["invocation_source"],
        "triggerDetail": row["trigger_detail"],
        "contextCommentId": ctx.get("commentId"),
        "contextWakeCommentId": ctx.get("wakeCommentId"),
        "startedAt": iso(row["started_at"]),
        "finishedAt": iso(row["finished_at"]),
        "createdAt": iso(row["created_at"]),
        "agentId": str(row["agent_id"]),
        "agentName": row["agent_name"],
        "adapterType": row["adapter_type"],
        "logBytes": row["log_bytes"],
        "processStartedAt": process_started_iso(row["process_started_at"]),  # recorded as /proc ticks
        "issueId": ctx.get("issueId"),
        **_UNTRACKED,
    }


async def company_live_runs(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, *, min_count: int, limit: int
) -> list[dict[str, Any]]:
    actor.require_company(company_id)
    live = list(RUN_LIVE)
    rows = await queries.LIVE_RUNS.fetch(session, company_id, live, limit)
    if len(rows) < min_count:
        rows += await queries.RECENT_RUNS.fetch(session, company_id, live, min_count - len(rows))
    return [_wire(r) for r in rows]


async def issue_id_from_ref(session: AsyncSession, ref: str) -> uuid.UUID:
    """The issue routes' ids may be identifiers (`ACM-12`) as well as UUIDs, as in the original."""
    parsed = parse_uuid(ref)
    if parsed is not None:
        return parsed
    if _IDENTIFIER.match(ref):
        found = await queries.ISSUE_ID_BY_IDENTIFIER.fetchval(session, ref.upper())
        if found is not None:
            return found
    raise NotFound("Issue not found")

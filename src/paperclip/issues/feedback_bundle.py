"""A feedback trace's bundle (GET /feedback-traces/:id/bundle): the trace's envelope, what was voted on,
and the run that wrote it — the run's row, its events and its log as files with their digests — in
the original's shape. Everything is read from this server (nothing is captured from an adapter's own
session files: `rawAdapterTrace` says so) and redacted like activity details."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.heartbeat.logstore import RunLogStore
from paperclip.issues import queries
from paperclip.issues.feedback import LOCAL_REDACTION, get_trace
from paperclip.redaction import REDACTED, redact, redact_text
from paperclip.wire import iso

MAX_LOG_BYTES = 1024 * 1024


def _run_to_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "agentId": str(row["agent_id"]),
        "agentName": row["agent_name"],
        "agentRole": row["agent_role"],
        "agentTitle": row["agent_title"],
        "adapterType": row["adapter_type"],
        "invocationSource": row["invocation_source"],
        "status": row["status"],
        "startedAt": iso(row["started_at"]),
        "finishedAt": iso(row["finished_at"]),
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
        "error": row["error"],
        "errorCode": row["error_code"],
        "usage": row["usage_json"],
        "result": row["result_json"],
        "sessionIdBefore": row["session_id_before"],
        "sessionIdAfter": row["session_id_after"],
        "externalRunId": row["external_run_id"],
        "contextSnapshot": row["context_snapshot"],
        "logStore": row["log_store"],
        "logRef": row["log_ref"],
        "logBytes": row["log_bytes"],
        "logSha256": row["log_sha256"],
        "eventCount": int(row["event_count"]),
    }


def _event_to_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "companyId": str(row["company_id"]),
        "runId": str(row["run_id"]),
        "agentId": str(row["agent_id"]),
        "seq": row["seq"],
        "eventType": row["event_type"],
        "stream": row["stream"],
        "level": row["level"],
        "color": row["color"],
        "message": row["message"],
        "payload": row["payload"],
        "createdAt": iso(row["created_at"]),
    }


AUTHOR_KEYS = ("authorType", "authorUserId", "authorAgentId")


def _redact_authors(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The original's bundle hides who wrote the voted text: its author keys are redacted even when empty."""
    if value is None:
        return None
    return {k: REDACTED if k in AUTHOR_KEYS else v for k, v in value.items()}


def _file(path: str, content_type: str, source: str, contents: str) -> dict[str, Any]:
    data = contents.encode()
    return {
        "path": path,
        "contentType": content_type,
        "encoding": "utf8",
        "byteLength": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "source": source,
        "contents": contents,
    }


async def trace_bundle(session: AsyncSession, actor: Actor, ref: str, store: RunLogStore) -> dict[str, Any]:
    trace = await get_trace(session, actor, ref)  # 404 / company check
    target = await queries.FEEDBACK_TARGET.fetchrow(
        session,
        issue_id=trace["issueId"],
        target_type=trace["targetType"],
        target_id=trace["targetId"],
    )
    run_row = None
    if target is not None and target["run_id"] is not None:
        run_row = await queries.FEEDBACK_RUN.fetchrow(
            session, run_id=target["run_id"], company_id=trace["companyId"]
        )
    notes: list[str] = []
    files: list[dict[str, Any]] = []
    run = None
    if run_row is None:
        notes.append("paperclip_run_missing")
    else:
        run = redact(_run_to_wire(run_row))
        events = [
            redact(_event_to_wire(e))
            for e in await queries.FEEDBACK_RUN_EVENTS.fetch(session, run_id=run_row["id"])
        ]
        files.append(
            _file("paperclip/run.json", "application/json", "paperclip_run", json.dumps(run, indent=2))
        )
        files.append(
            _file(
                "paperclip/run-events.json",
                "application/json",
                "paperclip_run_events",
                json.dumps(events, indent=2),
            )
        )
        if run_row["log_ref"]:
            try:
                log = store.read(run_row["log_ref"], 0, MAX_LOG_BYTES)
            except (OSError, ValueError):
                notes.append("paperclip_run_log_unavailable")
            else:
                if log.next_offset is not None:
                    notes.append("paperclip_run_log_truncated")
                files.append(
                    _file(
                        "paperclip/run-log.ndjson",
                        "application/x-ndjson",
                        "paperclip_run_log",
                        redact_text(log.content),
                    )
                )
    adapter_type = run_row["adapter_type"] if run_row is not None else None
    session_id = run_row["session_id_after"] if run_row is not None else None
    result = redact((run_row["result_json"] if run_row is not None else None) or {})
    usage = redact((run_row["usage_json"] if run_row is not None else None) or {})
    identifier = trace["issueIdentifier"]
    bundle_digest = hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest()
    return {
        "traceId": trace["id"],
        "exportId": None,
        "companyId": trace["companyId"],
        "issueId": trace["issueId"],
        "issueIdentifier": identifier,
        "adapterType": adapter_type,
        "captureStatus": "full" if run_row is not None else "partial",
        "notes": notes,
        "envelope": {
            "traceId": trace["id"],
            "exportId": None,
            "companyId": trace["companyId"],
            "feedbackVoteId": trace["feedbackVoteId"],
            "issueId": trace["issueId"],
            "issueIdentifier": identifier,
            "issueTitle": trace["issueTitle"],
            "projectId": trace["projectId"],
            "authorUserId": trace["authorUserId"],
            "targetType": trace["targetType"],
            "targetId": trace["targetId"],
            "vote": trace["vote"],
            "status": trace["status"],
            "destination": None,
            "consentVersion": None,
            "schemaVersion": trace["schemaVersion"],
            "bundleVersion": trace["bundleVersion"],
            "payloadVersion": trace["payloadVersion"],
            "payloadDigest": trace["payloadDigest"],
            "createdAt": trace["createdAt"],
            "exportedAt": None,
        },
        "surface": {
            "target": _redact_authors(trace["payloadSnapshot"]["target"]),
            "summary": _redact_authors(trace["targetSummary"]),
        },
        "paperclipRun": run,
        "rawAdapterTrace": {"adapterType": adapter_type, "sessionId": session_id, "captured": False},
        "normalizedAdapterTrace": {
            "adapterType": adapter_type,
            "sessionId": session_id,
            "summary": {
                "sessionId": session_id,
                "model": usage.get("model") or result.get("model") or "",
                "costUsd": usage.get("costUsd"),
                "usage": usage or None,
                "usageBasis": None,
                "summary": result.get("summary") or result.get("result") or "",
                "resultJson": result or None,
            },
        },
        "privacy": {**LOCAL_REDACTION, "bundleRedactionSummary": LOCAL_REDACTION},
        "integrity": {"payloadDigest": trace["payloadDigest"], "bundleDigest": bundle_digest},
        "files": files,
    }

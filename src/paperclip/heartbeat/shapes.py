"""Runs, run events and wake-up answers in the original's JSON shapes."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from paperclip.db.models import HeartbeatRun, HeartbeatRunEvent
from paperclip.wire import iso, uid


@lru_cache(maxsize=1)
def _boot_time() -> float | None:
    try:
        with open("/proc/stat") as fh:
            for line in fh:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def process_started_iso(ticks: str | None) -> str | None:
    """The recorded /proc start time (clock ticks since boot) as an ISO timestamp."""
    if not ticks or not ticks.isdigit():
        return None
    boot = _boot_time()
    if boot is None:
        return None
    from datetime import UTC, datetime

    seconds = boot + int(ticks) / os.sysconf("SC_CLK_TCK")
    return iso(datetime.fromtimestamp(seconds, UTC))


def run_to_wire(run: HeartbeatRun) -> dict[str, Any]:
    return {
        "id": str(run.id),
        "companyId": str(run.company_id),
        "agentId": str(run.agent_id),
        "invocationSource": run.invocation_source,
        "triggerDetail": run.trigger_detail,
        "status": run.status,
        "startedAt": iso(run.started_at),
        "finishedAt": iso(run.finished_at),
        "error": run.error,
        "wakeupRequestId": uid(run.wakeup_request_id),
        "exitCode": run.exit_code,
        "signal": run.signal,
        "usageJson": run.usage_json,
        "resultJson": run.result_json,
        "sessionIdBefore": run.session_id_before,
        "sessionIdAfter": run.session_id_after,
        "logStore": run.log_store,
        "logRef": run.log_ref,
        "logBytes": run.log_bytes,
        "logSha256": run.log_sha256,
        "logCompressed": run.log_compressed,
        "stdoutExcerpt": run.stdout_excerpt,
        "stderrExcerpt": run.stderr_excerpt,
        "errorCode": run.error_code,
        "externalRunId": run.external_run_id,
        "runnerInstanceId": run.runner_id,
        "processPid": run.process_pid,
        "processGroupId": run.process_pid,
        "processStartedAt": process_started_iso(run.process_started_at),
        "retryOfRunId": None,
        "processLossRetryCount": 0,
        "contextSnapshot": run.context_snapshot or {},
        "createdAt": iso(run.created_at),
        "updatedAt": iso(run.updated_at),
    }


def event_to_wire(event: HeartbeatRunEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "companyId": str(event.company_id),
        "runId": str(event.run_id),
        "agentId": str(event.agent_id),
        "seq": event.seq,
        "eventType": event.event_type,
        "stream": event.stream,
        "level": event.level,
        "color": event.color,
        "message": event.message,
        "payload": event.payload,
        "createdAt": iso(event.created_at),
    }


def skipped_wakeup(reason: str | None, details: dict[str, Any] | None = None) -> dict[str, Any]:
    details = details or {}
    return {
        "status": "skipped",
        "reason": reason or "wakeup_skipped",
        "message": "Wakeup was skipped.",
        "issueId": details.get("issueId"),
        "executionRunId": details.get("executionRunId"),
        "executionAgentId": details.get("executionAgentId"),
        "executionAgentName": details.get("executionAgentName"),
    }

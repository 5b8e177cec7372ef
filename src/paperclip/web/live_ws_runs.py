"""The run side of the company websocket: the original's `heartbeat.run.*` and `agent.status` events.

Everything here is read side. A run's status change arrives as the database's NOTIFY (the trigger of
migration 0008, sent on commit by whichever process changed it); the watcher then reads that run (and
its agent, changed in the same transaction) once and sends, in the original's order:

- queued → `heartbeat.run.queued`;
- running → `heartbeat.run.status`, `agent.status` (outcome `running`), the run's new
  `heartbeat.run.event`s (its `run started` lifecycle event), and from then on its output;
- ended → the rest of its output, `heartbeat.run.status`, its new run events, and — when it had
  started — `agent.status` with the agent's status after the run and the run's status as `outcome`.

Output (`heartbeat.run.log`, one message per chunk as the run log store wrote it) is read from the
run's log file every quarter second while a watched run is live: the runner writes its file as
always and does nothing per watcher or per chunk. `heartbeat.run.progress` (phase `run_activity`)
follows the first output and then at most every PROGRESS_SECONDS while output keeps coming, as the
original throttles it; the run events written with the agent process (`adapter.invoke`) are read at
the first output, when the process has started.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from paperclip.db.rawsql import Sql
from paperclip.web import queries
from paperclip.web.run_stream import PARSED_ADAPTERS, StreamState, context_source, final_text
from paperclip.web.run_tail import NdjsonTail, log_path
from paperclip.wire import iso

PROGRESS_SECONDS = 5.0
EVENT_BATCH = 200

Send = Callable[[str, dict[str, Any]], Awaitable[None]]


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


class Watched:
    """One live run this socket follows."""

    __slots__ = ("run_id", "agent_id", "issue_id", "tail", "event_seq", "progress_at", "saw_output", "stream")

    def __init__(
        self,
        run_id: str,
        agent_id: str,
        issue_id: str | None,
        path: Path | None,
        event_seq: int = 0,
        adapter_type: str | None = None,
    ):
        self.run_id, self.agent_id, self.issue_id = run_id, agent_id, issue_id
        self.tail = NdjsonTail(path)
        self.event_seq = event_seq
        self.progress_at = 0.0
        self.saw_output = False
        # what a claude-style agent is doing, from its JSON output (None: plain-text adapters)
        self.stream = StreamState() if adapter_type in PARSED_ADAPTERS else None

    @property
    def tool(self) -> str | None:
        return self.stream.tool if self.stream is not None else None

    @property
    def snippet(self) -> str | None:
        return self.stream.snippet if self.stream is not None else None


class RunWatch:
    def __init__(self, sessions, company_id: Any, run_logs_dir: Path, send: Send):
        self.sessions, self.company_id, self.root, self.send = sessions, company_id, Path(run_logs_dir), send
        self.runs: dict[str, Watched] = {}

    @property
    def live(self) -> bool:
        return bool(self.runs)

    async def _rows(self, query: Sql, **params: Any) -> list[dict[str, Any]]:
        async with self.sessions() as session:
            return await query.fetch(session, **params)

    def _path(self, row) -> Path | None:
        return log_path(self.root, self.company_id, row["agent_id"], row["id"], row["log_ref"])

    async def start(self) -> None:
        """Runs already running when the socket opens: their output from now on."""
        for row in await self._rows(queries.RUNNING_RUNS, cid=self.company_id):
            watched = Watched(
                str(row["id"]),
                str(row["agent_id"]),
                row["issue_id"],
                self._path(row),
                int(row["event_seq"]),
                row["adapter_type"],
            )
            watched.tail.skip_to_end()
            self.runs[watched.run_id] = watched

    async def changed(self, items: list[tuple[Any, Any, Any]]) -> None:
        """Runs whose status changed, in notification order (`(run id, agent id, status)` each): their
        rows and events are read with one statement each for the whole batch."""
        ids = list(dict.fromkeys(str(run_id) for run_id, _, _ in items))
        rows = {
            str(r["id"]): r
            for r in await self._rows(queries.RUNS_WITH_AGENT_BY_IDS, ids=ids, cid=self.company_id)
        }
        events = await self._new_events(ids)
        for run_id, agent_id, status in items:
            row = rows.get(str(run_id))
            if row is None:  # gone meanwhile (a deleted company or agent): what the notification said
                payload = {"runId": _str(run_id), "agentId": _str(agent_id), "status": status}
                await self.send("heartbeat.run.status", payload)
            else:
                await self._changed(row, status or row["status"], events.get(str(run_id), []))

    async def _changed(self, row, status: str, events: list) -> None:
        rid, aid = str(row["id"]), str(row["agent_id"])
        if status == "queued":
            await self.send(
                "heartbeat.run.queued",
                {
                    "runId": rid,
                    "agentId": aid,
                    "invocationSource": row["invocation_source"],
                    "triggerDetail": row["trigger_detail"],
                    "wakeupRequestId": _str(row["wakeup_request_id"]),
                },
            )
            return
        common = {
            "invocationSource": row["invocation_source"],
            "triggerDetail": row["trigger_detail"],
            "error": row["error"],
            "errorCode": row["error_code"],
        }
        still_running = row["status"] == "running"
        if status == "running":
            await self.send(
                "heartbeat.run.status",
                {"runId": rid, "agentId": aid, "status": status, **common}
                | {"startedAt": iso(row["started_at"]), "finishedAt": None},
            )
            await self.send("agent.status", {"agentId": aid, "status": "running", "outcome": "running"})
            if still_running:  # else it has ended already: its own notification follows with all of it
                watched = self.runs.get(rid)
                if watched is None:
                    watched = self.runs[rid] = Watched(
                        rid, aid, row["issue_id"], self._path(row), adapter_type=row["adapter_type"]
                    )
                await self._send_events(watched, events)
            return
        watched = self.runs.pop(rid, None)
        if watched is None:  # never seen running (it ended within one batch, or never started)
            path = self._path(row) if row["started_at"] else None
            watched = Watched(rid, aid, row["issue_id"], path, adapter_type=row["adapter_type"])
        await self._output(watched, time.monotonic())
        await self.send(
            "heartbeat.run.status",
            {
                "runId": rid,
                "agentId": aid,
                "issueId": row["issue_id"],
                "status": status,
                **common,
                "contextSource": context_source(row["context_source"]),
                "startedAt": iso(row["started_at"]),
                "finishedAt": iso(row["finished_at"]),
                "finalText": final_text(row["adapter_type"], row["result_text"], row["result_summary"]),
            },
        )
        await self._send_events(watched, events)
        if row["started_at"] is not None:
            await self.send(
                "agent.status",
                {
                    "agentId": aid,
                    "status": row["agent_status"],
                    "lastHeartbeatAt": iso(row["last_heartbeat_at"]),
                    "outcome": status,
                },
            )

    async def _new_events(self, run_ids: list[str]) -> dict[str, list]:
        """The run events of these runs (each filtered by what its watcher sent already)."""
        if not run_ids:
            return {}
        out: dict[str, list] = {}
        for e in await self._rows(
            queries.RUN_EVENTS_AFTER, ids=run_ids, seq=0, lim=EVENT_BATCH * len(run_ids)
        ):
            out.setdefault(str(e["run_id"]), []).append(e)
        return out

    async def _send_events(self, watched: Watched, events: list) -> None:
        for e in events:
            if int(e["seq"]) <= watched.event_seq:
                continue
            watched.event_seq = int(e["seq"])
            await self.send(
                "heartbeat.run.event",
                {
                    "runId": watched.run_id,
                    "agentId": watched.agent_id,
                    "issueId": watched.issue_id,
                    "seq": e["seq"],
                    "eventType": e["event_type"],
                    "stream": e["stream"],
                    "level": e["level"],
                    "color": e["color"],
                    "message": e["message"],
                    "currentToolName": watched.tool,
                    "lastAssistantSnippet": watched.snippet,
                    "lastEventAt": iso(e["created_at"]),
                    "payload": e["payload"],
                },
            )

    async def poll_output(self) -> None:
        now = time.monotonic()
        read = [(watched, watched.tail.read()) for watched in list(self.runs.values())]
        starting = [w.run_id for w, items in read if items and not w.saw_output]
        events = await self._new_events(starting)  # the agent processes have started: their invocation events
        for watched, items in read:
            await self._send_output(watched, items, now, events.get(watched.run_id, []))

    async def _output(self, watched: Watched, now: float) -> None:
        await self._send_output(watched, watched.tail.read(), now, [])

    async def _send_output(
        self, watched: Watched, items: list[dict[str, Any]], now: float, events: list
    ) -> None:
        if not items:
            return
        first = not watched.saw_output
        watched.saw_output = True
        if watched.stream is not None:
            for item in items:
                if item.get("stream") == "stdout":
                    watched.stream.feed(str(item.get("chunk") or ""))
        if first or now - watched.progress_at >= PROGRESS_SECONDS:
            watched.progress_at = now
            ts = items[-1].get("ts")
            await self.send(
                "heartbeat.run.progress",
                {
                    "runId": watched.run_id,
                    "agentId": watched.agent_id,
                    "issueId": watched.issue_id,
                    "phase": "run_activity",
                    "message": "Receiving agent output",
                    "currentToolName": watched.tool,
                    "lastAssistantSnippet": watched.snippet,
                    "lastEventAt": ts,
                    "updatedAt": ts,
                },
            )
        await self._send_events(watched, events)
        for item in items:
            await self.send(
                "heartbeat.run.log",
                {
                    "runId": watched.run_id,
                    "agentId": watched.agent_id,
                    "issueId": watched.issue_id,
                    "ts": item.get("ts"),
                    "seq": item.get("seq"),
                    "stream": item.get("stream"),
                    "chunk": item.get("chunk", ""),
                    "truncated": False,
                },
            )

"""`/<PREFIX>/events`: the company's live stream (server-sent events).

Events: `activity` and `run` (from the database's NOTIFY, see paperclip.web.live), `badges` (inbox
and approval counts, recomputed at most once a second after a change), `log` (new lines of the runs
named in `?runs=`, read from the run log store while they run). Each event has an id (milliseconds
since the epoch); a reconnecting browser sends it back as Last-Event-ID and first gets what changed
since from the database (activity entries and runs), so nothing is lost while it was away.
A comment line every 15 s keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from paperclip.db.rawsql import Sql
from paperclip.web import queries
from paperclip.web.context import CompanyPage
from paperclip.web.live import hub_of
from paperclip.web.pages.inbox import badge_counts
from paperclip.web.run_tail import NdjsonTail, log_path

router = APIRouter()

KEEPALIVE_SECONDS = 15.0
LOG_POLL_SECONDS = 0.25
POLL_FALLBACK_SECONDS = 3.0
MAX_LOG_RUNS = 5
REPLAY_LIMIT = 200
REPLAY_SLACK = timedelta(seconds=2)  # replicas' clocks may differ a little: replaying twice is harmless
LIVE_RUN = ("queued", "running", "scheduled_retry")


def _event(kind: str, data: dict, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


def _now_id() -> int:
    return int(time.time() * 1000)


def _wire(event: dict) -> tuple[str, dict]:
    """A NOTIFY payload (short keys) as the browser's event."""
    if event.get("k") == "run":
        return "run", {"id": event.get("id"), "agentId": event.get("ag"), "status": event.get("s")}
    return "activity", {
        "id": event.get("id"),
        "action": event.get("a"),
        "entityType": event.get("t"),
        "entityId": event.get("e"),
        "agentId": event.get("ag"),
        "runId": event.get("r"),
    }


class LogTail:
    """New lines of one run's log file, in the board's `log` event shape."""

    def __init__(self, run_id: str, path: Path | None, live: bool):
        self.run_id, self.live, self.tail = run_id, live, NdjsonTail(path)

    def read(self) -> list[dict]:
        return [
            {
                "runId": self.run_id,
                "seq": item.get("seq"),
                "stream": item.get("stream"),
                "chunk": item.get("chunk", ""),
                "ts": item.get("ts"),
            }
            for item in self.tail.read()
        ]


class Stream:
    def __init__(self, request: Request, company_id: uuid.UUID, actor, run_ids: list[uuid.UUID]):
        self.request, self.company_id, self.actor, self.run_ids = request, company_id, actor, run_ids
        self.app = request.app
        self.hub = hub_of(self.app)
        self.tails: dict[str, LogTail] = {}
        self.last_seen = datetime.now(UTC)

    async def _read(self, query: Sql, **params) -> list[dict]:
        async with self.app.state.read_sessions() as session:
            return await query.fetch(session, **params)

    async def badges(self) -> bytes:
        async with self.app.state.read_sessions() as session:
            return _event("badges", await badge_counts(session, self.actor, self.company_id))

    async def since(self, since: datetime) -> list[bytes]:
        """What changed after `since`, from the database (resume, and the pooler fallback)."""
        out = []
        for r in await self._read(queries.ACTIVITY_SINCE, cid=self.company_id, since=since, lim=REPLAY_LIMIT):
            out.append(
                _event(
                    "activity",
                    {
                        "id": str(r["id"]),
                        "action": r["action"],
                        "entityType": r["entity_type"],
                        "entityId": r["entity_id"],
                        "agentId": str(r["agent_id"] or "") or None,
                        "runId": str(r["run_id"] or "") or None,
                    },
                    int(r["created_at"].timestamp() * 1000),
                )
            )
        for r in await self._read(
            queries.RUNS_CHANGED_SINCE, cid=self.company_id, since=since, lim=REPLAY_LIMIT
        ):
            out.append(
                _event(
                    "run",
                    {"id": str(r["id"]), "agentId": str(r["agent_id"]), "status": r["status"]},
                    int(r["updated_at"].timestamp() * 1000),
                )
            )
        return out

    async def open_tails(self) -> None:
        if not self.run_ids:
            return
        root = Path(self.app.state.settings.paths.run_logs_dir)
        rows = await self._read(queries.RUN_LOG_FILES, cid=self.company_id, ids=self.run_ids)
        for r in rows:
            path = log_path(root, self.company_id, r["agent_id"], r["id"], r["log_ref"])
            self.tails[str(r["id"])] = LogTail(str(r["id"]), path, r["status"] in LIVE_RUN)

    def log_events(self) -> list[bytes]:
        out: list[bytes] = []
        for tail in self.tails.values():
            if tail.live:
                out.extend(_event("log", item) for item in tail.read())
        return out

    def on_notify(self, event: dict) -> list[bytes]:
        """A NOTIFY as the browser's event; a run that ended gets its last log lines, then no more reads."""
        kind, data = _wire(event)
        chunks = [_event(kind, data, _now_id())]
        tail = self.tails.get(data["id"]) if kind == "run" else None
        if tail is not None:
            if data["status"] in LIVE_RUN:
                tail.live = True
            else:
                chunks.extend(_event("log", item) for item in tail.read())
                tail.live = False
        return chunks

    async def events(self):
        await self.hub.start()
        sub = self.hub.subscribe(str(self.company_id))
        try:
            yield b"retry: 3000\n\n"
            last = self.request.headers.get("last-event-id", "")
            if last.isdigit():
                since = datetime.fromtimestamp(int(last) / 1000, UTC) - REPLAY_SLACK
                for chunk in await self.since(since):
                    yield chunk
            await self.open_tails()
            for tail in self.tails.values():  # the whole log so far (the page dedups by seq), then new lines
                for item in tail.read():
                    yield _event("log", item)
            yield await self.badges()
            badges_due = 0.0
            last_write = last_poll = time.monotonic()
            while True:
                wait = LOG_POLL_SECONDS if any(t.live for t in self.tails.values()) else 1.0
                try:
                    event = await asyncio.wait_for(sub.queue.get(), timeout=wait)
                except TimeoutError:
                    event = None
                now = time.monotonic()
                chunks: list[bytes] = []
                if event is not None:
                    chunks.extend(self.on_notify(event))
                    badges_due = badges_due or now + 1.0
                if self.hub.polling and now - last_poll >= POLL_FALLBACK_SECONDS:
                    last_poll = now
                    found = await self.since(self.last_seen - REPLAY_SLACK)
                    self.last_seen = datetime.now(UTC)
                    chunks.extend(found)
                    if found:
                        badges_due = badges_due or now
                chunks.extend(self.log_events())
                if badges_due and now >= badges_due:
                    badges_due = 0.0
                    chunks.append(await self.badges())
                if sub.overflowed:
                    return  # the browser reconnects with Last-Event-ID and catches up from the database
                if chunks:
                    last_write = now
                    yield b"".join(chunks)
                elif now - last_write >= KEEPALIVE_SECONDS:
                    last_write = now
                    yield b": keep-alive\n\n"
        finally:
            self.hub.unsubscribe(sub)


@router.get("/{prefix}/events")
async def events(request: Request, page: CompanyPage, runs: str = ""):
    run_ids = []
    for raw in runs.split(",")[:MAX_LOG_RUNS]:
        try:
            run_ids.append(uuid.UUID(raw.strip()))
        except ValueError:
            continue
    stream = Stream(request, page.company.id, page.actor, run_ids)
    return StreamingResponse(
        stream.events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache, no-transform", "x-accel-buffering": "no"},
    )

"""WebSocket /api/companies/{id}/events/ws: the company's live events for the original's clients.

One source, two transports: the same LISTEN hub that feeds the board's server-sent events
(paperclip.web.live, NOTIFY paperclip_live from the database's triggers) feeds this socket, in the
original's envelope `{id, companyId, type, createdAt, payload}` with its event types
`activity.logged`, `heartbeat.run.queued`, `heartbeat.run.status`, `heartbeat.run.event`,
`heartbeat.run.log`, `heartbeat.run.progress` and `agent.status` (the run side: live_ws_runs.py).
Behind a transaction pooler (no LISTEN) it reads what changed from the database every few seconds
instead.

Authentication as the original: the board's session cookie (with a trusted Origin, so another site
cannot open it with the cookie a browser attaches), a bearer token, or `?token=` (browsers cannot
set headers on a websocket). A refused handshake is HTTP 403 `forbidden`, before anything is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from starlette.responses import PlainTextResponse

from paperclip.auth.actor import Actor
from paperclip.auth.origins import is_trusted
from paperclip.auth.resolve import resolve_actor
from paperclip.clock import utcnow
from paperclip.errors import AppError
from paperclip.feature_router import FeatureRouter
from paperclip.ids import parse_uuid
from paperclip.web import queries
from paperclip.web.live import hub_of
from paperclip.web.live_ws_runs import RunWatch
from paperclip.wire import iso

router = FeatureRouter(tags=["live"])
POLL_SECONDS = 3.0
BATCH = 500  # notifications handled together (one read per kind)
OUTPUT_POLL_SECONDS = 0.25  # how often a live run's new output is read (read side; the runner is untouched)
REPLAY_SLACK = timedelta(seconds=2)
POLL_LIMIT = 200  # activity entries, and runs, read per poll


async def _actor(websocket: WebSocket, company_id: uuid.UUID | None) -> Actor | None:
    """The caller if it may watch the company, else None (the handshake is refused)."""
    if company_id is None:
        return None
    state = websocket.app.state
    headers = websocket.headers
    authorization = headers.get("authorization")
    token = websocket.query_params.get("token")
    if not authorization and token:
        authorization = f"Bearer {token}"
    cookie = None
    if not state.settings.is_local_trusted and not authorization:
        cookie = state.session_cookie.read(headers.get("cookie"))
    try:
        async with state.read_sessions() as session:
            actor = await resolve_actor(
                session,
                state.settings,
                authorization=authorization,
                run_id_header=None,
                now=utcnow(),
                session_token=cookie,
            )
        actor.require_company(company_id)
    except AppError:
        return None
    if actor.source == "session" and not is_trusted(headers, state.trusted_origins):
        return None  # cross-site websocket hijacking: a cookie alone does not prove who opened it
    return actor


class Feed:
    def __init__(self, websocket: WebSocket, company_id: uuid.UUID):
        self.websocket, self.company_id = websocket, company_id
        self.sessions = websocket.app.state.read_sessions
        self.seq = 0
        self.runs = RunWatch(
            self.sessions, company_id, websocket.app.state.settings.paths.run_logs_dir, self.send
        )

    async def send(self, kind: str, payload: dict[str, Any]) -> None:
        self.seq += 1
        await self.websocket.send_json(
            {
                "id": self.seq,
                "companyId": str(self.company_id),
                "type": kind,
                "createdAt": iso(datetime.now(UTC)),
                "payload": payload,
            }
        )

    async def activity(self, row) -> None:
        await self.send(
            "activity.logged",
            {
                "actorType": row["actor_type"],
                "actorId": row["actor_id"],
                "action": row["action"],
                "entityType": row["entity_type"],
                "entityId": row["entity_id"],
                "agentId": str(row["agent_id"]) if row["agent_id"] else None,
                "runId": str(row["run_id"]) if row["run_id"] else None,
                "details": row["details"],
            },
        )

    async def notified(self, events: list[dict[str, Any]]) -> None:
        """A batch of notifications, in order; what they name is read with one statement per kind, so a
        busy company (hundreds of runs a second) costs a watcher a few statements per batch, not per event."""
        items: list[tuple[str, Any]] = []
        for event in events:
            if parse_uuid(str(event.get("id"))) is None:
                continue
            if event.get("k") == "run":
                items.append(("run", (event.get("id"), event.get("ag"), event.get("s"))))
            else:
                items.append(("activity", str(event.get("id"))))
        await self._emit(items)

    async def _emit(self, items: list[tuple[str, Any]]) -> None:
        activity_ids = [value for kind, value in items if kind == "activity"]
        rows = {}
        if activity_ids:
            async with self.sessions() as session:
                found = await queries.ACTIVITY_BY_IDS.fetch(session, ids=activity_ids, cid=self.company_id)
                rows = {str(r["id"]): r for r in found}
        runs: list[tuple[Any, Any, Any]] = []
        for kind, value in items:  # consecutive run changes go as one batch, order kept
            if kind == "run":
                runs.append(value)
                continue
            if runs:
                await self.runs.changed(runs)
                runs = []
            if value in rows:
                await self.activity(rows[value])
        if runs:
            await self.runs.changed(runs)

    async def poll(self, since: datetime) -> None:
        params = {"cid": self.company_id, "since": since, "lim": POLL_LIMIT}
        async with self.sessions() as session:
            activity = await queries.ACTIVITY_SINCE.fetch(session, **params)
            runs = await queries.RUNS_CHANGED_SINCE.fetch(session, **params)
        items: list[tuple[str, Any]] = [("activity", str(a["id"])) for a in activity]
        items += [("run", (r["id"], r["agent_id"], r["status"])) for r in runs]
        await self._emit(items)


async def _until_closed(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()  # clients send nothing we act on; this notices the close


@router.websocket("/companies/{company_id}/events/ws")
async def company_events(websocket: WebSocket, company_id: str) -> None:
    cid = parse_uuid(company_id)
    if await _actor(websocket, cid) is None:
        await websocket.send_denial_response(PlainTextResponse("forbidden", status_code=403))
        return
    assert cid is not None
    hub = hub_of(websocket.app)
    await hub.start()
    sub = hub.subscribe(str(cid))
    feed = Feed(websocket, cid)
    try:
        await feed.runs.start()  # before the accept: output written after the client is in is never skipped
    except BaseException:
        hub.unsubscribe(sub)
        raise
    await websocket.accept()
    closed = asyncio.create_task(_until_closed(websocket))
    last_poll = utcnow()
    output_due = 0.0
    try:
        while not closed.done() and not sub.overflowed:
            timeout = POLL_SECONDS if hub.polling else 15.0
            if feed.runs.live:
                timeout = max(0.0, min(timeout, output_due - time.monotonic()))
            getter = asyncio.create_task(sub.queue.get())
            done, _ = await asyncio.wait(
                {getter, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if getter in done:
                batch = [getter.result()]
                while len(batch) < BATCH and not sub.queue.empty():
                    batch.append(sub.queue.get_nowait())
                await feed.notified(batch)
            else:
                getter.cancel()
            if feed.runs.live and time.monotonic() >= output_due:
                await feed.runs.poll_output()
                output_due = time.monotonic() + OUTPUT_POLL_SECONDS
            if hub.polling and utcnow() - last_poll >= timedelta(seconds=POLL_SECONDS):
                now = utcnow()
                await feed.poll(last_poll - REPLAY_SLACK)
                last_poll = now
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went away mid-send
    finally:
        hub.unsubscribe(sub)
        closed.cancel()
        if sub.overflowed:  # too slow a reader: close, the client reconnects
            with contextlib.suppress(Exception):
                await websocket.close(code=1013)

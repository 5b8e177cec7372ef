"""WebSocket /api/companies/{id}/events/ws: the company's live events for the original's clients.

One source, two transports: the same LISTEN hub that feeds the board's server-sent events
(paperclip.web.live, NOTIFY paperclip_live from the database's triggers) feeds this socket, in the
original's envelope `{id, companyId, type, createdAt, payload}` with its event types
`activity.logged`, `heartbeat.run.queued` and `heartbeat.run.status`. Behind a transaction pooler
(no LISTEN) it reads what changed from the database every few seconds instead.

Authentication as the original: the board's session cookie (with a trusted Origin, so another site
cannot open it with the cookie a browser attaches), a bearer token, or `?token=` (browsers cannot
set headers on a websocket). A refused handshake is HTTP 403 `forbidden`, before anything is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import WebSocket, WebSocketDisconnect
from starlette.responses import PlainTextResponse

from paperclip.auth.actor import Actor
from paperclip.auth.origins import is_trusted
from paperclip.auth.resolve import resolve_actor
from paperclip.clock import utcnow
from paperclip.errors import AppError
from paperclip.feature_router import FeatureRouter
from paperclip.ids import parse_uuid
from paperclip.web.live import hub_of
from paperclip.wire import iso

router = FeatureRouter(tags=["live"])
POLL_SECONDS = 3.0
REPLAY_SLACK = timedelta(seconds=2)

_ACTIVITY = sa.text("""SELECT id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id, details,
       created_at FROM activity_log WHERE id = :id AND company_id = :cid""")
_ACTIVITY_SINCE = sa.text("""SELECT id FROM activity_log WHERE company_id = :cid AND created_at > :since
 ORDER BY created_at, id LIMIT 200""")
_RUNS_SINCE = sa.text("""SELECT id, agent_id, status FROM heartbeat_runs WHERE company_id = :cid AND updated_at > :since
 ORDER BY updated_at, id LIMIT 200""")


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

    async def activity(self, activity_id: Any) -> None:
        async with self.sessions() as session:
            row = (
                (await session.execute(_ACTIVITY, {"id": activity_id, "cid": self.company_id}))
                .mappings()
                .first()
            )
        if row is None:
            return
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

    async def run(self, run_id: Any, agent_id: Any, status: Any) -> None:
        payload = {"runId": str(run_id), "agentId": str(agent_id) if agent_id else None, "status": status}
        await self.send("heartbeat.run.queued" if status == "queued" else "heartbeat.run.status", payload)

    async def notified(self, event: dict[str, Any]) -> None:
        if event.get("k") == "run":
            await self.run(event.get("id"), event.get("ag"), event.get("s"))
        elif parse_uuid(str(event.get("id"))) is not None:
            await self.activity(event.get("id"))

    async def poll(self, since: datetime) -> None:
        params = {"cid": self.company_id, "since": since}
        async with self.sessions() as session:
            activity = (await session.execute(_ACTIVITY_SINCE, params)).scalars().all()
            runs = (await session.execute(_RUNS_SINCE, params)).mappings().all()
        for activity_id in activity:
            await self.activity(activity_id)
        for r in runs:
            await self.run(r["id"], r["agent_id"], r["status"])


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
    await websocket.accept()
    feed = Feed(websocket, cid)
    closed = asyncio.create_task(_until_closed(websocket))
    last_poll = utcnow()
    try:
        while not closed.done() and not sub.overflowed:
            getter = asyncio.create_task(sub.queue.get())
            done, _ = await asyncio.wait(
                {getter, closed},
                timeout=POLL_SECONDS if hub.polling else 15.0,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if getter in done:
                await feed.notified(getter.result())
            else:
                getter.cancel()
            if hub.polling:
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

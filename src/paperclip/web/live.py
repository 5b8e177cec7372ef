"""The board's live feed: one LISTEN connection per server process, fanned out to browsers.

Rows written by any replica NOTIFY `paperclip_live` from database triggers (migration 0008):
activity entries and run status changes. The hub starts on the first browser that subscribes and
stops with the application. Behind a transaction pooler without a direct URL, LISTEN cannot work:
the hub reports `polling` and each stream looks for changes in the database every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

import orjson
import psycopg

from paperclip.heartbeat.dispatch import listen_target
from paperclip.heartbeat.listener import Listener, libpq_url

log = logging.getLogger("paperclip.web")
CHANNEL = "paperclip_live"
QUEUE_SIZE = 2000


class LiveListener(Listener):
    """The heartbeat's LISTEN loop (reconnects with back-off), under its own application_name: the
    runner's name marks a live runner, which this connection is not."""

    async def _connect(self) -> psycopg.AsyncConnection:
        task = asyncio.ensure_future(
            psycopg.AsyncConnection.connect(self.url, autocommit=True, application_name="paperclip-live")
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            try:
                conn = await asyncio.wait_for(task, timeout=5)
                await conn.close()
            except Exception:
                task.cancel()
            raise


class Subscriber:
    __slots__ = ("company_id", "queue", "overflowed")

    def __init__(self, company_id: str):
        self.company_id = company_id
        self.queue: asyncio.Queue[dict] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False

    def push(self, event: dict) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True  # the stream ends; the browser reconnects and resumes from the database


class LiveHub:
    def __init__(self, settings, database_url: str):
        url, self.polling = listen_target(settings, database_url)
        self.url = libpq_url(url)
        self.subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self.listener: LiveListener | None = None

    async def start(self) -> None:
        if self.listener is not None or self.polling:
            return
        self.listener = LiveListener(self.url, "live", {CHANNEL: self._on_notify})
        self.listener.start()
        try:
            await asyncio.wait_for(self.listener.connected.wait(), timeout=5)
        except TimeoutError:
            log.warning("live updates: LISTEN not connected yet; streams catch up from the database")

    async def stop(self) -> None:
        if self.listener is not None:
            listener, self.listener = self.listener, None
            await listener.stop()

    def subscribe(self, company_id: str) -> Subscriber:
        sub = Subscriber(company_id)
        self.subscribers[company_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self.subscribers.get(sub.company_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                self.subscribers.pop(sub.company_id, None)

    def _on_notify(self, payload: str) -> None:
        try:
            event = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return
        for sub in list(self.subscribers.get(str(event.get("c")), ())):
            sub.push(event)


def hub_of(app) -> LiveHub:
    hub = getattr(app.state, "live_hub", None)
    if hub is None:
        hub = app.state.live_hub = LiveHub(app.state.settings, app.state.database_url)
    return hub

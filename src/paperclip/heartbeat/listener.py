"""LISTEN on a dedicated psycopg connection: wake-ups start within milliseconds, cancellations stop
processes at once. The connection also marks this runner as alive (its application_name), which is
how another replica knows, without waiting for a timeout, that a runner's server is gone."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable

import psycopg

log = logging.getLogger("paperclip.heartbeat")
RUNNER_APP_PREFIX = "paperclip-runner "


def runner_app_name(runner_id: str) -> str:
    return RUNNER_APP_PREFIX + hashlib.sha256(runner_id.encode()).hexdigest()[:32]


def libpq_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


class Listener:
    def __init__(
        self,
        database_url: str,
        runner_id: str,
        channels: dict[str, Callable[[str], None]],
        on_connect: Callable[[], None] | None = None,
    ):
        self.url = libpq_url(database_url)
        self.runner_id = runner_id
        self.channels = channels
        self.on_connect = on_connect
        self.connected = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._conn: psycopg.AsyncConnection | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="heartbeat-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        if self._conn is not None:
            try:
                await self._conn.close()
            except Exception:
                pass

    async def _connect(self) -> psycopg.AsyncConnection:
        task = asyncio.ensure_future(
            psycopg.AsyncConnection.connect(
                self.url, autocommit=True, application_name=runner_app_name(self.runner_id)
            )
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # Abandoned mid-handshake, the server side would wait for us until its
            # authentication_timeout (60 s), holding up DROP DATABASE and shutdowns: finish, then close.
            try:
                conn = await asyncio.wait_for(task, timeout=5)
                await conn.close()
            except Exception:
                task.cancel()
            raise

    async def _run(self) -> None:
        delay = 0.2
        while True:
            try:
                self._conn = await self._connect()
                for channel in self.channels:
                    await self._conn.execute(f"LISTEN {channel}")
                self.connected.set()
                delay = 0.2
                if self.on_connect is not None:
                    self.on_connect()  # anything queued while we were not listening
                async for note in self._conn.notifies():
                    handler = self.channels.get(note.channel)
                    if handler is not None:
                        try:
                            handler(note.payload)
                        except Exception:
                            log.exception("heartbeat notification handler failed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected.clear()
                log.warning(
                    "heartbeat LISTEN connection lost (%s); retrying in %.1fs (the scheduler tick still runs)",
                    exc,
                    delay,
                )
            finally:
                if self._conn is not None:
                    try:
                        await self._conn.close()
                    except Exception:
                        pass
                    self._conn = None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)

"""The request is the unit of work: one session, committed before the response starts.

A pure ASGI middleware instead of a `yield` dependency: FastAPI wraps such dependencies in an exit
stack with a shielded cancel scope, which cost more than the rest of a simple read. The session is
opened lazily (health, 404s and auth failures never touch the pool) and finished when the response
starts: a success commits first — a failed commit turns into a 500, never into a success the
database did not keep — and an error response (the handler raised; routes never return an error
status without raising) rolls back.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.api.input_guard import is_data_error
from paperclip.auth import actor_cache
from paperclip.db.rawsql import READ_POOL_KEY
from paperclip.db.rollback import rollback_keeping_prepared

log = logging.getLogger("paperclip.api")

SCOPE_KEY = "paperclip.unit_of_work"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_COMMIT_FAILED = json.dumps({"error": "Internal server error"}).encode()
_DATA_REFUSED = json.dumps({"error": "Invalid input: a value cannot be stored"}).encode()


class RequestUnitOfWork:
    __slots__ = ("app_state", "method", "session", "finished", "failure_status")

    def __init__(self, app_state, method: str):
        self.app_state = app_state
        self.method = method
        self.session: AsyncSession | None = None
        self.finished = False
        self.failure_status = 500

    def get_session(self) -> AsyncSession:
        if self.session is None:
            # Reads run in autocommit: no BEGIN/COMMIT round trips around their SELECTs.
            if self.method in READ_METHODS:
                self.session = self.app_state.read_sessions()
                if self.app_state.read_pool is not None:
                    self.session.info[READ_POOL_KEY] = self.app_state.read_pool
            else:
                # a write may change who may do what: no person's actor is served from memory meanwhile
                actor_cache.writes_started()
                self.session = self.app_state.sessions()
        return self.session

    async def finish(self, success: bool) -> bool:
        """Commit (success) or roll back; False when the commit failed."""
        session = self.session
        self.finished = True
        if session is None:
            return True
        try:
            if not session.in_transaction() and not (session.new or session.dirty or session.deleted):
                return True  # nothing was begun (a request whose one write ran as its own statement)
            if success and (
                self.method not in READ_METHODS or session.new or session.dirty or session.deleted
            ):
                # A read only flushes what it touched (an API key's lastUsedAt).
                await session.commit()
            elif not success:
                await rollback_keeping_prepared(session)
            return True
        except Exception as exc:
            if is_data_error(exc):  # a value the database cannot store (out of a column's range, …)
                log.warning("Commit refused the request's data: %s", exc)
                self.failure_status = 400
            else:
                log.exception("Commit failed")
            return False
        finally:
            await session.close()  # rolls back whatever was not committed; returns the connection

    async def abort(self) -> None:
        """After the response (or when none was sent): nothing may stay open on the connection."""
        session = self.session
        if session is not None and (not self.finished or session.in_transaction()):
            self.finished = True
            await session.close()


class UnitOfWorkMiddleware:
    def __init__(self, app, state):
        self.app = app
        self.state = state  # the application's state: its session factories exist once it started

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        uow = RequestUnitOfWork(self.state, scope["method"])
        scope[SCOPE_KEY] = uow
        replaced = False

        async def send_wrapper(message):
            nonlocal replaced
            if message["type"] == "http.response.start":
                if not uow.finished and not await uow.finish(message["status"] < 400):
                    replaced = True
                    body = _COMMIT_FAILED if uow.failure_status == 500 else _DATA_REFUSED
                    await send(
                        {
                            "type": "http.response.start",
                            "status": uow.failure_status,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
            elif replaced:
                return
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            await uow.abort()

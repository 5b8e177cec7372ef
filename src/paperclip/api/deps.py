"""Request dependencies: settings, the request's transaction, the actor, and the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.auth.resolve import resolve_actor
from paperclip.clock import utcnow
from paperclip.config import Settings


async def get_settings(request: Request) -> Settings:  # async: sync deps cost a thread hop
    return request.app.state.settings


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request is the unit of work: commit when the handler returns, roll back when it raises.

    Scope "function" makes the commit happen before the response is sent, so a failed commit is
    a 500 instead of a success the database never saw.
    """
    if request.method in READ_METHODS:
        # Reads run in autocommit: no BEGIN/COMMIT round trips around their SELECTs. The commit()
        # only flushes what a read may touch (an API key's lastUsedAt).
        async with request.app.state.read_sessions() as session:
            yield session
            await session.commit()
        return
    async with request.app.state.sessions() as session:
        async with session.begin():
            yield session


async def now() -> datetime:
    return utcnow()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DB = Annotated[AsyncSession, Depends(db_session, scope="function")]
Now = Annotated[datetime, Depends(now)]


async def current_actor(request: Request, session: DB, settings: SettingsDep, at: Now) -> Actor:
    actor = await resolve_actor(
        session, settings,
        authorization=request.headers.get("authorization"),
        run_id_header=request.headers.get("x-paperclip-run-id"),
        now=at,
    )
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]

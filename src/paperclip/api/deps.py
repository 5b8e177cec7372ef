"""Request dependencies: settings, the request's transaction, the actor, and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.api.unit_of_work import SCOPE_KEY
from paperclip.auth.actor import Actor
from paperclip.auth.resolve import resolve_actor
from paperclip.clock import utcnow
from paperclip.config import Settings


async def get_settings(request: Request) -> Settings:  # async: sync deps cost a thread hop
    return request.app.state.settings


async def db_session(request: Request) -> AsyncSession:
    """The request's session; `paperclip.api.unit_of_work` commits it before the response starts."""
    return request.scope[SCOPE_KEY].get_session()


async def now() -> datetime:
    return utcnow()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DB = Annotated[AsyncSession, Depends(db_session)]
Now = Annotated[datetime, Depends(now)]


async def current_actor(request: Request, session: DB) -> Actor:
    # Settings and the clock read directly: every dependency FastAPI resolves costs per request.
    actor = await resolve_actor(
        session, request.app.state.settings,
        authorization=request.headers.get("authorization"),
        run_id_header=request.headers.get("x-paperclip-run-id"),
        now=utcnow(),
    )
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]

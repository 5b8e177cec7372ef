"""Secret references resolved for one agent run, server-side, just before its process starts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.config import Settings
from paperclip.errors import AppError
from paperclip.heartbeat.env import EnvBindingError, SecretResolver
from paperclip.secrets.service import resolve_value


@asynccontextmanager
async def run_secret_resolver(sessions: Callable[[], AsyncSession], settings: Settings,
                              company_id: uuid.UUID) -> AsyncIterator[SecretResolver]:
    """A resolver for `heartbeat.env.resolve_config_env`: one read-only session for all of a run's
    references, opened on the first one. A failure names the secret id, never a value."""
    session: AsyncSession | None = None

    async def resolve(binding: dict[str, Any]) -> str:
        nonlocal session
        if session is None:
            session = sessions()
        secret_id = binding.get("secretId")
        try:
            return await resolve_value(session, settings, company_id, secret_id, binding.get("version", "latest"))
        except AppError as exc:
            raise EnvBindingError(f"{exc.message} (secret {secret_id})") from None

    try:
        yield resolve
    finally:
        if session is not None:
            await session.close()

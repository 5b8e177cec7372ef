"""Secret references resolved for one agent run, server-side, just before its process starts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.config import Settings
from paperclip.errors import AppError
from paperclip.secrets import queries
from paperclip.secrets.run_env import EnvBindingError, SecretResolver, resolve_config_env
from paperclip.secrets.service import resolve_value


@asynccontextmanager
async def run_secret_resolver(
    sessions: Callable[[], AsyncSession], settings: Settings, company_id: uuid.UUID
) -> AsyncIterator[SecretResolver]:
    """A resolver for `run_env.resolve_config_env`: one read-only session for all of a run's
    references, opened on the first one. A failure names the secret id, never a value."""
    session: AsyncSession | None = None

    async def resolve(binding: dict[str, Any]) -> str:
        nonlocal session
        if session is None:
            session = sessions()
        secret_id = binding.get("secretId")
        try:
            return await resolve_value(
                session, settings, company_id, secret_id, binding.get("version", "latest")
            )
        except AppError as exc:
            raise EnvBindingError(f"{exc.message} (secret {secret_id})") from None

    try:
        yield resolve
    finally:
        if session is not None:
            await session.close()


def _context_uuid(context: dict[str, Any], *keys: str) -> uuid.UUID | None:
    for key in keys:
        value = context.get(key)
        if value:
            try:
                return uuid.UUID(str(value))
            except ValueError:
                return None
    return None


async def project_env_bindings(
    session: AsyncSession, company_id: uuid.UUID, context: dict[str, Any]
) -> dict[str, Any] | None:
    issue_id = _context_uuid(context, "issueId", "taskId")
    project_id = _context_uuid(context, "projectId")
    if issue_id is None and project_id is None:
        return None
    env = await queries.PROJECT_ENV.fetchval(session, cid=company_id, issue=issue_id, project=project_id)
    return env if isinstance(env, dict) and env else None


async def run_config_env(
    sessions: Callable[[], AsyncSession],
    settings: Settings,
    company_id: uuid.UUID,
    agent_env: Any,
    context: dict[str, Any],
) -> tuple[dict[str, str], set[str]]:
    """The run's env bindings resolved: the agent's adapter-config env, then the env of the project the
    run works in, whose keys win (the original's precedence, core §5.6: "project env overrides agent
    env"); a key the project overrides is never resolved. Values to mask include the project's secrets.
    Raises EnvBindingError naming the binding (never a value)."""
    bindings: dict[str, Any] = dict(agent_env) if isinstance(agent_env, dict) else {}
    async with run_secret_resolver(sessions, settings, company_id) as resolve_secret:
        if _context_uuid(context, "issueId", "taskId", "projectId") is not None:
            async with sessions() as session:
                project_env = await project_env_bindings(session, company_id, context)
            if project_env:
                bindings.update(project_env)
        return await resolve_config_env(bindings, resolve_secret)

"""Deleting managed copies of secrets in AWS Secrets Manager after their rows are gone.

The database queues them (a trigger on company_secrets, migration 0009) in the transaction that
deletes a managed secret — one at a time or with its whole company — so a rollback queues nothing
and a commit can never lose one. The queue is drained right after the deleting request and by a
periodic sweep in the background process; a failure (AWS unreachable, credentials, IAM) is logged,
kept with its error and retried with backoff, never dropped.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from paperclip.clock import utcnow
from paperclip.config import Settings
from paperclip.db.engine import unit_of_work
from paperclip.db.models import SecretDeletion
from paperclip.db.outbox import claim_due
from paperclip.secrets.providers.aws import AwsSecretsManagerProvider
from paperclip.secrets.providers.base import SecretProviderError

log = logging.getLogger("paperclip.secrets")
SWEEP_SECONDS = 60
BATCH = 50
MAX_BACKOFF = timedelta(hours=6)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** min(attempts, 12)), MAX_BACKOFF)


async def drain(sessions, settings: Settings, limit: int = BATCH) -> int:
    """Delete up to `limit` due copies; returns how many are done."""
    done = 0
    now = utcnow()
    async with unit_of_work(sessions) as session:
        rows = await claim_due(session, SecretDeletion, now, limit)
        for row in rows:
            try:
                if row.provider != "aws_secrets_manager":
                    raise SecretProviderError(
                        f"No secrets provider {row.provider!r} can delete {row.secret_ref}"
                    )
                await asyncio.to_thread(AwsSecretsManagerProvider(settings).delete_managed, row.secret_ref)
            except SecretProviderError as exc:
                row.attempts += 1
                row.last_error = str(exc)[:1000]
                row.next_attempt_at = now + _backoff(row.attempts)
                log.warning(
                    "deleting the managed secret %s failed (attempt %d, retried at %s): %s",
                    row.secret_ref,
                    row.attempts,
                    row.next_attempt_at.isoformat(timespec="seconds"),
                    exc,
                )
                continue
            await session.delete(row)
            done += 1
    return done


async def drain_quietly(sessions, settings: Settings) -> None:
    try:
        await drain(sessions, settings)
    except Exception:
        log.exception("secret deletion queue drain failed")


def delete_queued_after_response(background, request) -> None:
    """A route that deleted secrets (or a company): the queue is drained once the response is sent."""
    app = request.app
    background.add_task(drain_quietly, app.state.sessions, app.state.settings)


async def sweep_loop(sessions, settings: Settings) -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        await drain_quietly(sessions, settings)

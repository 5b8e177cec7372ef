"""Removing objects whose rows are gone, without ever orphaning one silently.

Whoever deletes rows that own objects (an attachment, an issue, a company) queues the objects in
`storage_deletions` in the same transaction: if the transaction rolls back, nothing is queued; once
it commits, the queue row outlives any crash. The queue is drained right after the request (a
background task that runs once the response, and so the commit, is done) and by a periodic sweep
in the background process, which retries failures with backoff and logs them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.clock import utcnow
from paperclip.config.settings import StorageSettings
from paperclip.db.engine import unit_of_work
from paperclip.db.models import Asset, IssueAttachment, StorageDeletion
from paperclip.db.outbox import claim_due
from paperclip.storage import queries
from paperclip.storage.registry import provider_by_id

log = logging.getLogger("paperclip.storage")
SWEEP_SECONDS = 60
GUARD_SECONDS = 600
BATCH = 200


async def queue_object(session: AsyncSession, provider: str, key: str, reason: str) -> None:
    await session.execute(sa.insert(StorageDeletion).values(provider=provider, object_key=key, reason=reason))


async def forget_issue_objects(session: AsyncSession, issue_id: uuid.UUID) -> int:
    """Before an issue row is deleted: drop its attachments' assets and the images only its description,
    comments and documents show, and queue their objects."""
    texts = await queries.ISSUE_TEXTS.fetch(session, issue=issue_id)
    images = (
        await forget_unreferenced_images(
            session,
            texts[0]["company_id"],
            [t["body"] for t in texts],
            f"issue {issue_id} deleted",
            deleting_issue=issue_id,
        )
        if texts
        else 0
    )
    attached = (
        sa.select(IssueAttachment.asset_id).where(IssueAttachment.issue_id == issue_id).scalar_subquery()
    )
    rows = (
        await session.execute(
            sa.delete(Asset).where(Asset.id.in_(attached)).returning(Asset.provider, Asset.object_key)
        )
    ).all()
    if rows:
        await session.execute(
            sa.insert(StorageDeletion),
            [
                {"provider": provider, "object_key": key, "reason": f"issue {issue_id} deleted"}
                for provider, key in rows
            ],
        )
    return len(rows) + images


# An image of a comment or document is referenced by its content URL in the markdown (assets/images).
ASSET_URL_RE = re.compile(
    r"/api/assets/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/content"
)


def referenced_assets(texts: Iterable[str | None]) -> set[uuid.UUID]:
    return {uuid.UUID(m) for text in texts if text for m in ASSET_URL_RE.findall(text)}


async def forget_unreferenced_images(
    session: AsyncSession,
    company_id: uuid.UUID,
    texts: Iterable[str | None],
    reason: str,
    *,
    deleting_issue: uuid.UUID | None = None,
) -> int:
    """After a comment or document is deleted (or before its issue is): the images its text showed
    that nothing else of the company shows any more lose their asset row, and their objects are
    queued for removal. An image still shown elsewhere (a copied link) is kept."""
    ids = referenced_assets(texts)
    if not ids:
        return 0
    rows = await queries.FORGET_UNREFERENCED_IMAGES.fetch(
        session, cid=company_id, ids=sorted(ids), issue=deleting_issue
    )
    if rows:
        await session.execute(
            sa.insert(StorageDeletion),
            [
                {"provider": row["provider"], "object_key": row["object_key"], "reason": reason}
                for row in rows
            ],
        )
    return len(rows)


async def forget_company_objects(session: AsyncSession, company_id: uuid.UUID, current_provider: str) -> None:
    """Before a company row is deleted: every object of a company lives under `<companyId>/`."""
    providers = set(
        await session.scalars(sa.select(Asset.provider).where(Asset.company_id == company_id).distinct())
    )
    providers.add(current_provider)
    await session.execute(
        sa.insert(StorageDeletion),
        [
            {
                "provider": p,
                "object_key": f"{company_id}/",
                "is_prefix": True,
                "reason": f"company {company_id} deleted",
            }
            for p in sorted(providers)
        ],
    )


async def drain(sessions, storage: StorageSettings, limit: int = BATCH) -> int:
    """Remove up to `limit` queued objects; returns how many were removed."""
    removed = 0
    now = utcnow()
    async with unit_of_work(sessions) as session:
        rows = await claim_due(session, StorageDeletion, now, limit)
        for row in rows:
            provider = provider_by_id(storage, row.provider)
            try:
                if provider is None:
                    raise RuntimeError(
                        f"provider {row.provider} is not configured (PAPERCLIP_STORAGE_PROVIDER)"
                    )
                if row.is_prefix:
                    await asyncio.to_thread(provider.delete_prefix, row.object_key)
                else:
                    await asyncio.to_thread(provider.delete, row.object_key)
            except Exception as exc:
                row.attempts += 1
                row.last_error = str(getattr(exc, "message", exc))[:500]
                row.next_attempt_at = now + timedelta(seconds=min(30 * 2 ** min(row.attempts, 10), 6 * 3600))
                log.warning(
                    "Could not remove stored object %s (%s, attempt %d): %s",
                    row.object_key,
                    row.reason,
                    row.attempts,
                    row.last_error,
                )
                continue
            await session.delete(row)
            removed += 1
    return removed


async def drain_quietly(sessions, storage: StorageSettings) -> None:
    try:
        await drain(sessions, storage)
    except Exception:
        log.exception("Draining the storage deletion queue failed; the periodic sweep retries")


async def guard_new_object(
    sessions, provider: str, key: str, delay_seconds: int = GUARD_SECONDS
) -> uuid.UUID:
    """Before an upload's row is written: queue its object for removal in a transaction of its own,
    due only after `delay_seconds`. The request's transaction drops this entry (`keep_object`); if
    that transaction never commits (a failed commit, a crash), the sweep removes the object."""
    async with unit_of_work(sessions) as session:
        return await session.scalar(
            sa.insert(StorageDeletion)
            .values(
                provider=provider,
                object_key=key,
                reason="upload not committed",
                next_attempt_at=utcnow() + timedelta(seconds=delay_seconds),
            )
            .returning(StorageDeletion.id)
        )


async def keep_object(session: AsyncSession, guard_id: uuid.UUID) -> None:
    await session.execute(sa.delete(StorageDeletion).where(StorageDeletion.id == guard_id))


def remove_queued_objects_after_response(background, request) -> None:
    """For routes that queued objects: drain once the response (and so the commit) is done."""
    state = request.app.state
    background.add_task(drain_quietly, state.sessions, state.settings.storage)


async def sweep_loop(sessions, storage: StorageSettings) -> None:
    while True:
        await drain_quietly(sessions, storage)
        await asyncio.sleep(SWEEP_SECONDS)

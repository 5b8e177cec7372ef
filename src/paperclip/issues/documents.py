"""Issue documents: keyed markdown (`plan`, `design`, `notes`, ...) with append-only revisions.

Writes are optimistic: an update names the revision it was based on (`baseRevisionId`) and is refused
with 409 when someone else wrote first; a locked document refuses every write until unlocked. The wire
shape is built in SQL (`wire.document_json`), once, for the document routes and for the issue detail's
`planDocument` / `documentSummaries`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Conflict, Forbidden, NotFound
from paperclip.issues import queries
from paperclip.issues.identifiers import find_issue, parse_uuid
from paperclip.storage.cleanup import forget_unreferenced_images

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_KEY_LENGTH = 64
STALE_BASE = "Document was updated by someone else"
BASE_REQUIRED = (
    "Document update requires baseRevisionId. GET the current document, read its body and latestRevisionId, "
    "then set baseRevisionId to that latestRevisionId when updating."
)


def _require_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or not KEY_RE.match(key):
        raise BadRequest(
            "Invalid document key",
            details=[
                {
                    "path": [],
                    "message": "Document key must be lowercase letters, "
                    f"numbers, _ or - (at most {MAX_KEY_LENGTH} characters)",
                }
            ],
        )
    return key


async def _issue(session: AsyncSession, actor: Actor, issue_ref: str, *, for_update: bool = False):
    issue = await find_issue(session, issue_ref, for_update=for_update)
    actor.require_company(issue["company_id"])
    return issue


def _authors(actor: Actor) -> dict[str, Any]:
    return {
        "agent_id": actor.agent_id if actor.is_agent else None,
        "user_id": actor.user_id if actor.is_board else None,
        "run_id": actor.run_id if actor.is_agent else None,
    }


async def list_documents(
    session: AsyncSession, actor: Actor, issue_ref: str, window: Window
) -> list[dict[str, Any]]:
    issue = await _issue(session, actor, issue_ref)
    params = {"issue_id": issue["id"], "limit": window.limit, "offset": window.offset}
    return await queries.DOCUMENTS_PAGE.fetchval(session, **params)


async def _current(session: AsyncSession, issue_id: uuid.UUID, key: str, *, for_update: bool = False):
    query = queries.DOCUMENT_FOR_UPDATE if for_update else queries.DOCUMENT
    return await query.fetchrow(session, issue_id=issue_id, key=key)


async def get_document(session: AsyncSession, actor: Actor, issue_ref: str, key: str) -> dict:
    issue = await _issue(session, actor, issue_ref)
    row = await _current(session, issue["id"], _require_key(key))
    if row is None:
        raise NotFound("Document not found")
    return row["wire"]


def _locked(row, key: str) -> Conflict:
    return Conflict(
        "Document is locked",
        details={"key": key, "documentId": str(row["id"]), "lockedAt": row["wire"]["lockedAt"]},
    )


async def put_document(
    session: AsyncSession,
    actor: Actor,
    issue_ref: str,
    key: str,
    *,
    title: str | None,
    fmt: str,
    body: str,
    change_summary: str | None,
    base_revision_id: str | None,
    now: datetime,
) -> tuple[dict, bool]:
    """Create (201) or update (200) a document; returns (document, created)."""
    _require_key(key)
    issue = await _issue(session, actor, issue_ref)
    params = {
        "company_id": issue["company_id"],
        "issue_id": issue["id"],
        "key": key,
        "title": title,
        "format": fmt,
        "body": body,
        "change_summary": change_summary,
        "now": now,
        **_authors(actor),
    }
    row = await _current(session, issue["id"], key, for_update=True)
    created = row is None
    if created:
        if base_revision_id is not None:
            raise Conflict(STALE_BASE, details={"currentRevisionId": None})
        document_id = await queries.INSERT_DOCUMENT.fetchval(session, **params)
        linked = await queries.LINK_DOCUMENT.fetchval(session, **params, document_id=document_id)
        if linked is None:  # another writer created this key first: its revision stands, ours is stale
            current = await _current(session, issue["id"], key)
            raise Conflict(
                STALE_BASE,
                details={"currentRevisionId": str(current["latest_revision_id"]) if current else None},
            )
    else:
        document_id = row["id"]
        if row["locked_at"] is not None:
            raise _locked(row, key)
        current = str(row["latest_revision_id"])
        if base_revision_id is None:
            raise Conflict(BASE_REQUIRED, details={"currentRevisionId": current})
        if base_revision_id != current:
            raise Conflict(STALE_BASE, details={"currentRevisionId": current})
    number = await queries.ADD_REVISION.fetchval(session, **params, document_id=document_id)
    action = "issue.document_created" if created else "issue.document_updated"
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action=action,
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "key": key,
            "title": title,
            "format": fmt,
            "documentId": str(document_id),
            "revisionNumber": number,
        },
    )
    return (await _current(session, issue["id"], key))["wire"], created


async def list_revisions(
    session: AsyncSession, actor: Actor, issue_ref: str, key: str, window: Window
) -> list[dict[str, Any]]:
    """The document's revisions in `window`, newest first."""
    issue = await _issue(session, actor, issue_ref)
    if await _current(session, issue["id"], _require_key(key)) is None:
        raise NotFound("Document not found")
    params = {"issue_id": issue["id"], "key": key, "limit": window.limit, "offset": window.offset}
    return await queries.REVISIONS_PAGE.fetchval(session, **params)


async def restore_revision(
    session: AsyncSession, actor: Actor, issue_ref: str, key: str, revision_id: str, now: datetime
) -> dict:
    """A new revision with an old one's title, format and body (history is never rewritten)."""
    issue = await _issue(session, actor, issue_ref)
    row = await _current(session, issue["id"], _require_key(key), for_update=True)
    if row is None:
        raise NotFound("Document not found")
    if row["locked_at"] is not None:
        raise _locked(row, key)
    parsed = parse_uuid(revision_id)
    old = (
        None
        if parsed is None
        else await queries.REVISION_OF_DOCUMENT.fetchrow(session, id=parsed, doc=row["id"])
    )
    if old is None:
        raise NotFound("Document revision not found")
    number = await queries.ADD_REVISION.fetchval(
        session,
        document_id=row["id"],
        title=old["title"],
        format=old["format"],
        body=old["body"],
        change_summary=f"Restored revision {old['revision_number']}",
        now=now,
        **_authors(actor),
    )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.document_restored",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "key": key,
            "title": old["title"],
            "format": old["format"],
            "documentId": str(row["id"]),
            "revisionNumber": number,
            "restoredFromRevisionId": str(old["id"]),
            "restoredFromRevisionNumber": old["revision_number"],
        },
    )
    return (await _current(session, issue["id"], key))["wire"]


async def set_lock(
    session: AsyncSession, actor: Actor, issue_ref: str, key: str, *, locked: bool, now: datetime
) -> dict:
    if not actor.is_board:
        raise Forbidden("Board access required")
    issue = await _issue(session, actor, issue_ref)
    row = await _current(session, issue["id"], _require_key(key), for_update=True)
    if row is None:
        raise NotFound("Document not found")
    authors = _authors(actor)
    await queries.LOCK_DOCUMENT.execute(
        session,
        at=now if locked else None,
        agent_id=authors["agent_id"] if locked else None,
        user_id=authors["user_id"] if locked else None,
        id=row["id"],
    )
    details = {"key": key, "title": row["title"], "documentId": str(row["id"])}
    if locked:
        details["lockedAt"] = now.isoformat()
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.document_locked" if locked else "issue.document_unlocked",
        entity_type="issue",
        entity_id=issue["id"],
        details=details,
    )
    return (await _current(session, issue["id"], key))["wire"]


async def delete_document(session: AsyncSession, actor: Actor, issue_ref: str, key: str) -> dict:
    if not actor.is_board:
        raise Forbidden("Board access required")
    issue = await _issue(session, actor, issue_ref)
    row = await _current(session, issue["id"], _require_key(key), for_update=True)
    if row is None:
        raise NotFound("Document not found")
    texts = [r["body"] for r in await queries.DOCUMENT_BODIES.fetch(session, id=row["id"])]
    await queries.DELETE_DOCUMENT.execute(session, id=row["id"])
    # images only this document (any revision) showed: their assets go, their objects are queued
    await forget_unreferenced_images(session, issue["company_id"], texts, f"document {row['id']} deleted")
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.document_deleted",
        entity_type="issue",
        entity_id=issue["id"],
        details={"key": key, "title": row["title"], "documentId": str(row["id"])},
    )
    return {"ok": True}

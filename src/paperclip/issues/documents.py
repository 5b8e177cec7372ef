"""Issue documents: keyed markdown (`plan`, `design`, `notes`, ...) with append-only revisions.

Writes are optimistic: an update names the revision it was based on (`baseRevisionId`) and is refused
with 409 when someone else wrote first; a locked document refuses every write until unlocked. The wire
shape is built in SQL (`document_json`), once, for the document routes and for the issue detail's
`planDocument` / `documentSummaries`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Conflict, Forbidden, NotFound
from paperclip.issues.identifiers import find_issue, parse_uuid
from paperclip.issues.listing import ts
from paperclip.storage.cleanup import forget_unreferenced_images

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_KEY_LENGTH = 64
STALE_BASE = "Document was updated by someone else"
BASE_REQUIRED = (
    "Document update requires baseRevisionId. GET the current document, read its body and latestRevisionId, "
    "then set baseRevisionId to that latestRevisionId when updating."
)


def document_json(doc: str, link: str, *, with_body: bool) -> str:
    """The original's document object (a summary leaves out the body)."""
    body = f"'body', {doc}.latest_body, " if with_body else ""
    return (
        f"json_build_object('id', {doc}.id, 'companyId', {doc}.company_id, 'issueId', {link}.issue_id, 'key', {link}.key, "
        f"'title', {doc}.title, 'format', {doc}.format, {body}'latestRevisionId', {doc}.latest_revision_id, "
        f"'latestRevisionNumber', {doc}.latest_revision_number, 'createdByAgentId', {doc}.created_by_agent_id, "
        f"'createdByUserId', {doc}.created_by_user_id, 'updatedByAgentId', {doc}.updated_by_agent_id, "
        f"'updatedByUserId', {doc}.updated_by_user_id, 'lockedAt', {ts(doc + '.locked_at')}, "
        f"'lockedByAgentId', {doc}.locked_by_agent_id, 'lockedByUserId', {doc}.locked_by_user_id, 'sourceTrust', NULL, "
        f"'createdAt', {ts(doc + '.created_at')}, 'updatedAt', {ts(doc + '.updated_at')})"
    )


def issue_documents_sql(issue_id_expr: str) -> tuple[str, str]:
    """(planDocument, documentSummaries) subselects for the issue detail view."""
    plan = (
        f"(SELECT {document_json('doc', 'link', with_body=True)} FROM issue_documents link "
        f"JOIN documents doc ON doc.id = link.document_id WHERE link.issue_id = {issue_id_expr} AND link.key = 'plan')"
    )
    summaries = (
        f"(SELECT COALESCE(json_agg({document_json('doc', 'link', with_body=False)} ORDER BY link.key), '[]'::json) "
        f"FROM issue_documents link JOIN documents doc ON doc.id = link.document_id "
        f"WHERE link.issue_id = {issue_id_expr})"
    )
    return plan, summaries


_SELECT_ONE = sa.text(f"""
SELECT doc.id, doc.latest_revision_id, doc.latest_revision_number, doc.locked_at, doc.title, doc.format,
       {document_json("doc", "link", with_body=True)} AS wire
FROM issue_documents link JOIN documents doc ON doc.id = link.document_id
WHERE link.issue_id = :issue_id AND link.key = :key
""")
_LIST = sa.text(f"""
SELECT COALESCE(json_agg({document_json("doc", "link", with_body=True)} ORDER BY link.key), '[]'::json)
FROM (SELECT * FROM issue_documents WHERE issue_id = :issue_id ORDER BY key LIMIT :limit OFFSET :offset) link
JOIN documents doc ON doc.id = link.document_id
""")
_REVISIONS = sa.text(f"""
SELECT COALESCE(json_agg(json_build_object(
    'id', r.id, 'companyId', r.company_id, 'documentId', r.document_id, 'issueId', r.issue_id, 'key', r.key,
    'revisionNumber', r.revision_number, 'title', r.title, 'format', r.format, 'body', r.body,
    'changeSummary', r.change_summary, 'createdByAgentId', r.created_by_agent_id, 'createdByUserId', r.created_by_user_id,
    'createdAt', {ts("r.created_at")}) ORDER BY r.revision_number DESC), '[]'::json)
FROM (SELECT rev.*, link.issue_id, link.key
      FROM issue_documents link JOIN document_revisions rev ON rev.document_id = link.document_id
      WHERE link.issue_id = :issue_id AND link.key = :key
      ORDER BY rev.revision_number DESC LIMIT :limit OFFSET :offset) r
""")
_INSERT_DOCUMENT = sa.text("""
INSERT INTO documents (company_id, title, format, latest_body, latest_revision_number, created_by_agent_id,
                       created_by_user_id, updated_by_agent_id, updated_by_user_id, created_at, updated_at)
VALUES (:company_id, :title, :format, :body, 0, :agent_id, :user_id, :agent_id, :user_id, :now, :now)
RETURNING id
""")
_LINK = sa.text("""
INSERT INTO issue_documents (company_id, issue_id, document_id, key, created_at, updated_at)
VALUES (:company_id, :issue_id, :document_id, :key, :now, :now)
ON CONFLICT (issue_id, key) DO NOTHING
RETURNING id
""")
_ADD_REVISION = sa.text("""
WITH r AS (
    INSERT INTO document_revisions (company_id, document_id, revision_number, title, format, body, change_summary,
                                    created_by_agent_id, created_by_user_id, created_by_run_id, created_at)
    SELECT d.company_id, d.id, d.latest_revision_number + 1, :title, :format, :body, :change_summary,
           :agent_id, :user_id, :run_id, :now
    FROM documents d WHERE d.id = :document_id
    RETURNING id, document_id, revision_number
)
UPDATE documents d SET latest_body = :body, title = :title, format = :format, latest_revision_id = r.id,
       latest_revision_number = r.revision_number, updated_by_agent_id = :agent_id, updated_by_user_id = :user_id,
       updated_at = :now
FROM r WHERE d.id = r.document_id
RETURNING r.revision_number
""")


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
    return (await session.execute(_LIST, params)).scalar_one()


async def _current(session: AsyncSession, issue_id: uuid.UUID, key: str, *, for_update: bool = False):
    query = _SELECT_ONE
    if for_update:  # serialises writers of one document: the stale-revision check below sees the latest write
        query = sa.text(str(_SELECT_ONE) + " FOR UPDATE OF doc")
    return (await session.execute(query, {"issue_id": issue_id, "key": key})).mappings().first()


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
        document_id = (await session.execute(_INSERT_DOCUMENT, params)).scalar_one()
        linked = (await session.execute(_LINK, {**params, "document_id": document_id})).scalar_one_or_none()
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
    number = (await session.execute(_ADD_REVISION, {**params, "document_id": document_id})).scalar_one()
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
    return (await session.execute(_REVISIONS, params)).scalar_one()


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
        else (
            await session.execute(
                sa.text(
                    "SELECT id, revision_number, title, format, body FROM document_revisions WHERE id = :id AND document_id = :doc"
                ),
                {"id": parsed, "doc": row["id"]},
            )
        )
        .mappings()
        .first()
    )
    if old is None:
        raise NotFound("Document revision not found")
    number = (
        await session.execute(
            _ADD_REVISION,
            {
                "document_id": row["id"],
                "title": old["title"],
                "format": old["format"],
                "body": old["body"],
                "change_summary": f"Restored revision {old['revision_number']}",
                "now": now,
                **_authors(actor),
            },
        )
    ).scalar_one()
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
    await session.execute(
        sa.text(
            "UPDATE documents SET locked_at = :at, locked_by_agent_id = :agent_id, locked_by_user_id = :user_id WHERE id = :id"
        ),
        {
            "at": now if locked else None,
            "agent_id": authors["agent_id"] if locked else None,
            "user_id": authors["user_id"] if locked else None,
            "id": row["id"],
        },
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
    texts = list(
        await session.scalars(
            sa.text("SELECT body FROM document_revisions WHERE document_id = :id"), {"id": row["id"]}
        )
    )
    await session.execute(sa.text("DELETE FROM documents WHERE id = :id"), {"id": row["id"]})
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

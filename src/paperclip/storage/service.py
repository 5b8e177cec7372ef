"""Assets and issue attachments: uploads become rows (+ activity), rows become downloads.

An upload is stored first (streamed, see uploads.py), then recorded; if recording fails the object
is removed again, so a failed upload leaves neither a row nor an object."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.config.settings import StorageSettings
from paperclip.db.issue_refs import find_issue
from paperclip.db.models import Asset, Company, IssueAttachment, IssueComment
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, NotFound, Unprocessable
from paperclip.ids import parse_uuid
from paperclip.storage import cleanup
from paperclip.storage.base import StorageProvider
from paperclip.storage.keys import build_key
from paperclip.storage.registry import provider_for
from paperclip.storage.types import LOGO_TYPES, SVG, type_allowed
from paperclip.storage.uploads import StoredUpload, UploadRules, receive_upload
from paperclip.wire import iso, uid

COMPANY_DEFAULT_LIMIT = 10 * 1024 * 1024
_NAMESPACE = re.compile(r"^[A-Za-z0-9/_\-.:@|]{1,120}$")
NAMESPACE_MESSAGE = (
    '"namespace" must be 1-120 characters of letters, numbers, or / _ - . : @ |, and cannot contain '
    '"." or ".." path segments'
)


def asset_to_wire(a: Asset) -> dict[str, Any]:
    return {
        "assetId": str(a.id),
        "companyId": str(a.company_id),
        "provider": a.provider,
        "objectKey": a.object_key,
        "contentType": a.content_type,
        "byteSize": a.byte_size,
        "sha256": a.sha256,
        "originalFilename": a.original_filename,
        "createdByAgentId": uid(a.created_by_agent_id),
        "createdByUserId": a.created_by_user_id,
        "createdAt": iso(a.created_at),
        "updatedAt": iso(a.updated_at),
        "contentPath": f"/api/assets/{a.id}/content",
    }


def attachment_to_wire(att: IssueAttachment, a: Asset) -> dict[str, Any]:
    content = f"/api/attachments/{att.id}/content"
    return {
        "id": str(att.id),
        "companyId": str(att.company_id),
        "issueId": str(att.issue_id),
        "issueCommentId": uid(att.issue_comment_id),
        "originatingRunId": uid(att.originating_run_id),
        "assetId": str(a.id),
        "provider": a.provider,
        "objectKey": a.object_key,
        "contentType": a.content_type,
        "byteSize": a.byte_size,
        "sha256": a.sha256,
        "originalFilename": a.original_filename,
        "createdByAgentId": uid(a.created_by_agent_id),
        "createdByUserId": a.created_by_user_id,
        "createdAt": iso(att.created_at),
        "updatedAt": iso(att.updated_at),
        "contentPath": content,
        "openPath": content,
        "downloadPath": f"{content}?download=1",
    }


def _general_type_check(storage: StorageSettings):
    def check(content_type: str) -> None:
        if content_type != SVG and not type_allowed(content_type, storage.allowed_attachment_types):
            raise Unprocessable(f"Unsupported file type: {content_type}")

    return check


def _logo_type_check(content_type: str) -> None:
    if content_type not in LOGO_TYPES:
        raise Unprocessable(f"Unsupported image type: {content_type}")


def _image_namespace(fields: dict[str, str]) -> str:
    raw = fields.get("namespace")
    if raw is None or raw == "":
        return "assets/general"
    if not _NAMESPACE.match(raw) or any(seg in (".", "..") for seg in raw.split("/")):
        raise BadRequest(
            f"Invalid image metadata: {NAMESPACE_MESSAGE}",
            details=[{"code": "custom", "path": ["namespace"], "message": NAMESPACE_MESSAGE}],
        )
    return f"assets/{raw}"


async def _company_limit(session: AsyncSession, company_id: uuid.UUID, storage: StorageSettings) -> int:
    per_company = await session.scalar(
        sa.select(Company.attachment_max_bytes).where(Company.id == company_id)
    )
    if per_company is None:
        raise NotFound("Company not found")
    # The instance's limit (PAPERCLIP_ATTACHMENT_MAX_BYTES) caps every company; a company's own limit
    # applies when it was set below that (the column's default, 10 MiB, means "no limit of its own").
    if not per_company or per_company == COMPANY_DEFAULT_LIMIT:
        return storage.attachment_max_bytes
    return min(per_company, storage.attachment_max_bytes)


async def _discard(provider: StorageProvider, stored: StoredUpload) -> None:
    await asyncio.to_thread(provider.delete, stored.object_key)


async def _insert_asset(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, stored: StoredUpload, now: datetime
) -> Asset:
    asset = Asset(
        id=uuid.uuid4(),
        company_id=company_id,
        provider=stored.provider,
        object_key=stored.object_key,
        content_type=stored.content_type,
        byte_size=stored.byte_size,
        sha256=stored.sha256,
        original_filename=stored.original_filename,
        created_by_agent_id=actor.agent_id,
        created_by_user_id=None if actor.is_agent else actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(asset)
    await session.flush()
    return asset


async def upload_asset(
    session: AsyncSession,
    actor: Actor,
    request: Request,
    storage: StorageSettings,
    company_id: uuid.UUID,
    now: datetime,
    *,
    logo: bool = False,
) -> dict[str, Any]:
    """POST /companies/:id/assets/images and POST /companies/:id/logo."""
    actor.require_company(company_id)
    provider = provider_for(storage)
    limit = await _company_limit(session, company_id, storage)
    namespace = ["assets/companies"] if logo else []

    def object_key(fields: dict[str, str], filename: str | None) -> str:
        if not logo:
            namespace.append(_image_namespace(fields))
        return build_key(company_id, namespace[0], filename, now)

    rules = UploadRules(
        max_bytes=limit,
        noun="Image" if logo else "File",
        empty_noun="Image",
        check_type=_logo_type_check if logo else _general_type_check(storage),
        object_key=object_key,
    )
    stored = await receive_upload(request, provider, rules)
    try:
        guard = await cleanup.guard_new_object(request.app.state.sessions, stored.provider, stored.object_key)
        await cleanup.keep_object(session, guard)
        asset = await _insert_asset(session, actor, company_id, stored, now)
        details: dict[str, Any] = {
            "byteSize": asset.byte_size,
            "contentType": asset.content_type,
            "originalFilename": asset.original_filename,
        }
        if namespace and namespace[0] != "assets/general":
            details["namespace"] = namespace[0]
        await record(
            session,
            actor,
            company_id=company_id,
            action="asset.created",
            entity_type="asset",
            entity_id=asset.id,
            details=details,
        )
    except BaseException:
        await _discard(provider, stored)
        raise
    return asset_to_wire(asset)


async def _issue_in_company(session: AsyncSession, actor: Actor, company_id: uuid.UUID, issue_ref: str):
    actor.require_company(company_id)
    issue = await find_issue(session, issue_ref)
    if issue["company_id"] != company_id:
        raise NotFound("Issue not found")
    return issue


async def upload_attachment(
    session: AsyncSession,
    actor: Actor,
    request: Request,
    storage: StorageSettings,
    company_id: uuid.UUID,
    issue_ref: str,
    now: datetime,
) -> dict[str, Any]:
    issue = await _issue_in_company(session, actor, company_id, issue_ref)
    provider = provider_for(storage)
    limit = await _company_limit(session, company_id, storage)
    rules = UploadRules(
        max_bytes=limit,
        noun="Attachment",
        empty_noun="Attachment",
        check_type=_general_type_check(storage),
        object_key=lambda fields, filename: build_key(company_id, f"issues/{issue['id']}", filename, now),
    )
    stored = await receive_upload(request, provider, rules)
    try:
        guard = await cleanup.guard_new_object(request.app.state.sessions, stored.provider, stored.object_key)
        await cleanup.keep_object(session, guard)
        comment_id = None
        raw_comment = stored.fields.get("issueCommentId")
        if raw_comment:
            comment_id = parse_uuid(raw_comment)
            found = comment_id and await session.scalar(
                sa.select(IssueComment.id).where(
                    IssueComment.id == comment_id, IssueComment.issue_id == issue["id"]
                )
            )
            if not found:
                raise NotFound("Issue comment not found")
        asset = await _insert_asset(session, actor, company_id, stored, now)
        attachment = IssueAttachment(
            id=uuid.uuid4(),
            company_id=company_id,
            issue_id=issue["id"],
            asset_id=asset.id,
            issue_comment_id=comment_id,
            originating_run_id=actor.run_id,
            created_at=now,
            updated_at=now,
        )
        session.add(attachment)
        await session.flush()
        await record(
            session,
            actor,
            company_id=company_id,
            action="issue.attachment_added",
            entity_type="issue",
            entity_id=issue["id"],
            details={
                "byteSize": asset.byte_size,
                "contentType": asset.content_type,
                "attachmentId": str(attachment.id),
                "originalFilename": asset.original_filename,
            },
        )
    except BaseException:
        await _discard(provider, stored)
        raise
    return attachment_to_wire(attachment, asset)


async def list_attachments(
    session: AsyncSession, actor: Actor, issue_ref: str, window: Window | None = None
) -> list[dict[str, Any]]:
    issue = await find_issue(session, issue_ref)
    actor.require_company(issue["company_id"])
    stmt = (
        sa.select(IssueAttachment, Asset)
        .join(Asset, Asset.id == IssueAttachment.asset_id)
        .where(IssueAttachment.issue_id == issue["id"])
        .order_by(IssueAttachment.created_at.desc(), IssueAttachment.id)
    )
    rows = (await session.execute(window.apply(stmt) if window else stmt)).all()
    return [attachment_to_wire(att, asset) for att, asset in rows]


async def readable_attachment(
    session: AsyncSession, actor: Actor, attachment_id: str
) -> tuple[IssueAttachment, Asset]:
    """The attachment and its asset, or 404 when it does not exist or the caller cannot read its issue."""
    parsed = parse_uuid(attachment_id)
    row = (
        parsed
        and (
            await session.execute(
                sa.select(IssueAttachment, Asset)
                .join(Asset, Asset.id == IssueAttachment.asset_id)
                .where(IssueAttachment.id == parsed)
            )
        ).first()
    )
    if not row or not actor.can_access(row[0].company_id):
        actor.require_authenticated()
        raise NotFound("Attachment not found")
    return row[0], row[1]


async def readable_asset(session: AsyncSession, actor: Actor, asset_id: str) -> Asset:
    """404 "Asset not found" for unknown assets, other companies' assets and assets of issues the caller
    cannot read (never 403: an answer must not reveal that the asset exists)."""
    actor.require_authenticated()
    parsed = parse_uuid(asset_id)
    asset = parsed and await session.get(Asset, parsed)
    if not asset or not actor.can_access(asset.company_id):
        raise NotFound("Asset not found")
    return asset


async def delete_attachment(session: AsyncSession, actor: Actor, attachment_id: str) -> dict[str, Any]:
    attachment, asset = await readable_attachment(session, actor, attachment_id)
    deleted = await session.execute(sa.delete(Asset).where(Asset.id == asset.id).returning(Asset.id))
    if deleted.first() is None:
        raise NotFound("Attachment not found")  # removed by a concurrent request
    await cleanup.queue_object(
        session, asset.provider, asset.object_key, f"attachment {attachment.id} deleted"
    )
    await record(
        session,
        actor,
        company_id=attachment.company_id,
        action="issue.attachment_removed",
        entity_type="issue",
        entity_id=attachment.issue_id,
        details={"attachmentId": str(attachment.id)},
    )
    return {"ok": True}


async def require_logo_asset(
    session: AsyncSession, company_id: uuid.UUID, asset_id: uuid.UUID | None
) -> None:
    """PATCH /companies/:id {logoAssetId}: the asset must be one of the company's own."""
    if asset_id is None:
        return
    found = await session.scalar(
        sa.select(Asset.id).where(Asset.id == asset_id, Asset.company_id == company_id)
    )
    if found is None:
        raise NotFound("Logo asset not found")

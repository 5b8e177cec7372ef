"""Attachments on the issue page: list, upload (multipart, streamed by the storage feature with its
size limit and allowed types; its messages shown next to the control), download, delete.

Listed in the issue page's context by `attachments_context`; the routes answer the refreshed
`issues/_attachments.html` fragment (or redirect back to the issue page without JavaScript).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, BackgroundTasks, Depends, Request

from paperclip.errors import Forbidden, NotFound
from paperclip.storage import cleanup
from paperclip.storage import service as storage
from paperclip.storage.types import DEFAULT_ALLOWED_TYPES, format_size
from paperclip.web.context import CompanyPage, Page
from paperclip.web.csrf import COOKIE, HEADER, _same_origin
from paperclip.web.pages.formkit import WRITE, require_writer
from paperclip.web.render import done, is_fragment, render

router = APIRouter()


async def upload_csrf(request: Request) -> None:
    """The CSRF check of a multipart upload: the token comes in the header (app.js) or the query
    string (a form without JavaScript), never from the body, which the storage feature streams."""
    cookie = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER) or request.query_params.get("_csrf")
    if not cookie or not sent or not hmac.compare_digest(cookie, sent) or not _same_origin(request):
        raise Forbidden("Invalid or missing CSRF token; reload the page and try again")


def _rules(page: Page) -> dict:
    """What the upload control tells a person before they pick a file (the server enforces it)."""
    settings = page.request.app.state.settings.storage
    patterns = settings.allowed_attachment_types
    shown = patterns if patterns is not None else DEFAULT_ALLOWED_TYPES
    # the `accept` attribute knows exact types and type/*; `*` and vendor prefixes (`x.*`) mean no filter
    accept = "" if any(p == "*" or p.endswith(".*") for p in shown) else ",".join(shown)
    kinds = (
        "any type"
        if "*" in shown
        else ", ".join(p.split("/", 1)[-1].replace("*", "any").upper() for p in shown)
    )
    return {"max_size": format_size(settings.attachment_max_bytes), "accept": accept, "kinds": kinds}


async def attachments_context(page: Page, issue: dict) -> dict:
    return {
        "attachments": await storage.list_attachments(page.session, page.actor, issue["id"]),
        "upload_rules": _rules(page),
    }


async def _answer(page: Page, ref: str, toast: str):
    from paperclip.web.pages.issues import detail_context  # noqa: PLC0415 - issues imports this module

    if not is_fragment(page.request):
        return done(page.request, f"/{page.prefix}/issues/{ref}#attachments")
    ctx = await detail_context(page, ref)
    response = await render(page.request, "issues/_attachments.html", **ctx)
    response.headers["x-toast"] = toast
    return response


@router.post(
    "/{prefix}/issues/{ref}/attachments", dependencies=[Depends(upload_csrf), Depends(require_writer)]
)
async def upload(request: Request, page: CompanyPage, ref: str):
    created = await storage.upload_attachment(
        page.session, page.actor, request, request.app.state.settings.storage, page.company.id, ref, page.now
    )
    return await _answer(page, ref, f"Attached {created['originalFilename'] or 'the file'}")


@router.post("/{prefix}/issues/{ref}/attachments/{attachment_id}/delete", dependencies=WRITE)
async def delete(
    request: Request, page: CompanyPage, ref: str, attachment_id: str, background: BackgroundTasks
):
    attachment, _ = await storage.readable_attachment(page.session, page.actor, attachment_id)
    if attachment.company_id != page.company.id:
        raise NotFound("Attachment not found")
    await storage.delete_attachment(page.session, page.actor, attachment_id)
    cleanup.remove_queued_objects_after_response(background, request)
    return await _answer(page, ref, "Attachment deleted")

"""Issue document routes (the original's paths, statuses and bodies). Thin: parse, call one service."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import BackgroundTasks, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import Ok, returns
from paperclip.feature_router import FeatureRouter
from paperclip.issues import documents
from paperclip.issues.shapes import json_response
from paperclip.storage.cleanup import remove_queued_objects_after_response

router = FeatureRouter(tags=["issue documents"])

MAX_BODY_CHARS = 1_000_000  # about a megabyte of markdown: a plan, not a data dump


class DocumentPut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: Annotated[str, Field(max_length=500)] | None = None
    format: Literal["markdown"] = "markdown"
    body: Annotated[str, Field(max_length=MAX_BODY_CHARS)]
    changeSummary: Annotated[str, Field(max_length=2000)] | None = None  # noqa: N815
    baseRevisionId: Annotated[str, Field(max_length=100)] | None = None  # noqa: N815


@router.get("/issues/{issue_id}/documents")
@returns("list[Document]")
async def list_documents(
    issue_id: str, session: DB, actor: ActorDep, page: PageDep, includeSystem: str | None = None
) -> Response:  # noqa: N803
    # includeSystem: the original's switch for its system-kept documents; every document here is a user one
    del includeSystem
    return page.respond(await documents.list_documents(session, actor, issue_id, page.window))


@router.get("/issues/{issue_id}/documents/{key}")
@returns("Document")
async def get_document(issue_id: str, key: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await documents.get_document(session, actor, issue_id, key))


@router.put("/issues/{issue_id}/documents/{key}")
@returns("Document", description="Updated")
@returns("Document", status=201, description="Created")
async def put_document(
    issue_id: str, key: str, body: DocumentPut, session: DB, actor: ActorDep, now: Now
) -> Response:
    doc, created = await documents.put_document(
        session,
        actor,
        issue_id,
        key,
        title=body.title,
        fmt=body.format,
        body=body.body,
        change_summary=body.changeSummary,
        base_revision_id=body.baseRevisionId,
        now=now,
    )
    return json_response(doc, 201 if created else 200)


@router.delete("/issues/{issue_id}/documents/{key}")
@returns(Ok)
async def delete_document(
    issue_id: str, key: str, session: DB, actor: ActorDep, background: BackgroundTasks, request: Request
) -> Response:
    result = json_response(await documents.delete_document(session, actor, issue_id, key))
    remove_queued_objects_after_response(background, request)  # images only the document showed
    return result


@router.get("/issues/{issue_id}/documents/{key}/revisions")
@returns("list[DocumentRevision]")
async def list_revisions(issue_id: str, key: str, session: DB, actor: ActorDep, page: PageDep) -> Response:
    return page.respond(await documents.list_revisions(session, actor, issue_id, key, page.window))


@router.post("/issues/{issue_id}/documents/{key}/revisions/{revision_id}/restore")
@returns("Document")
async def restore_revision(
    issue_id: str, key: str, revision_id: str, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await documents.restore_revision(session, actor, issue_id, key, revision_id, now))


@router.post("/issues/{issue_id}/documents/{key}/lock")
@returns("Document")
async def lock_document(issue_id: str, key: str, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await documents.set_lock(session, actor, issue_id, key, locked=True, now=now))


@router.post("/issues/{issue_id}/documents/{key}/unlock")
@returns("Document")
async def unlock_document(issue_id: str, key: str, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await documents.set_lock(session, actor, issue_id, key, locked=False, now=now))

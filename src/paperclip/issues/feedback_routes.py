"""Routes of feedback votes and traces, and of recovery actions (the original's paths, statuses and bodies). Thin: parse, call one
service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter
from paperclip.heartbeat.runtime import run_log_store
from paperclip.issues import feedback, feedback_bundle, recovery
from paperclip.issues.feedback import TraceFilters, VoteBody
from paperclip.issues.identifiers import require_uuid
from paperclip.issues.recovery import ResolveBody
from paperclip.issues.shapes import json_response

router = FeatureRouter(tags=["feedback"])
QStr = Annotated[str | None, Query(max_length=200)]


def _filters(
    targetType: QStr = None,  # noqa: N803
    vote: QStr = None,
    status: QStr = None,
    projectId: QStr = None,  # noqa: N803
    issueId: QStr = None,  # noqa: N803
    from_: Annotated[str | None, Query(alias="from", max_length=100)] = None,
    to: Annotated[str | None, Query(max_length=100)] = None,
    sharedOnly: bool = False,  # noqa: N803
    includePayload: bool = False,  # noqa: N803
) -> TraceFilters:
    return TraceFilters(
        targetType=targetType,
        vote=vote,
        status=status,
        projectId=projectId,
        issueId=issueId,
        from_=from_,
        to=to,
        sharedOnly=sharedOnly,
        includePayload=includePayload,
    )


@router.get("/issues/{issue_id}/feedback-votes")
@returns("list[FeedbackVote]")
async def list_votes(issue_id: str, session: DB, actor: ActorDep, page: PageDep) -> Response:
    return page.respond(await feedback.list_votes(session, actor, issue_id, page.window))


@router.post("/issues/{issue_id}/feedback-votes", status_code=201)
@returns("FeedbackVote")
async def upsert_vote(issue_id: str, body: VoteBody, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await feedback.upsert_vote(session, actor, issue_id, body, now), 201)


@router.get("/issues/{issue_id}/feedback-traces")
@returns("list[FeedbackTrace]")
async def issue_traces(
    issue_id: str,
    session: DB,
    actor: ActorDep,
    page: PageDep,
    targetType: QStr = None,  # noqa: N803
    vote: QStr = None,
    status: QStr = None,
    from_: Annotated[str | None, Query(alias="from", max_length=100)] = None,
    to: Annotated[str | None, Query(max_length=100)] = None,
    sharedOnly: bool = False,  # noqa: N803
    includePayload: bool = False,  # noqa: N803
) -> Response:
    filters = _filters(targetType, vote, status, None, None, from_, to, sharedOnly, includePayload)
    return page.respond(await feedback.issue_traces(session, actor, issue_id, filters, page.window))


@router.get("/companies/{company_id}/feedback-traces")
@returns("list[FeedbackTrace]")
async def company_traces(
    company_id: str,
    session: DB,
    actor: ActorDep,
    page: PageDep,
    targetType: QStr = None,  # noqa: N803
    vote: QStr = None,
    status: QStr = None,
    projectId: QStr = None,  # noqa: N803
    issueId: QStr = None,  # noqa: N803
    from_: Annotated[str | None, Query(alias="from", max_length=100)] = None,
    to: Annotated[str | None, Query(max_length=100)] = None,
    sharedOnly: bool = False,  # noqa: N803
    includePayload: bool = False,  # noqa: N803
) -> Response:
    filters = _filters(targetType, vote, status, projectId, issueId, from_, to, sharedOnly, includePayload)
    company = require_uuid(company_id, "Company not found")
    return page.respond(await feedback.company_traces(session, actor, company, filters, page.window))


@router.get("/feedback-traces/{trace_id}")
@returns("FeedbackTrace")
async def get_trace(trace_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await feedback.get_trace(session, actor, trace_id))


@router.get("/feedback-traces/{trace_id}/bundle")
@returns("FeedbackBundle")
async def get_trace_bundle(trace_id: str, request: Request, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await feedback_bundle.trace_bundle(session, actor, trace_id, run_log_store(request))


@router.get("/issues/{issue_id}/recovery-actions", tags=["recovery"])
@returns("RecoveryActions")
async def recovery_actions(issue_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await recovery.list_actions(session, actor, issue_id))


@router.post("/issues/{issue_id}/recovery-actions/resolve", tags=["recovery"])
@returns("RecoveryResolution")
async def resolve_recovery_action(
    issue_id: str, body: ResolveBody, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(await recovery.resolve(session, actor, issue_id, body, now))

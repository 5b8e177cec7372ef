"""Issue routes (paths, status codes and bodies of the original). Thin: parse, call one service."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Query, Request
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.costs import reports as cost_reports
from paperclip.errors import BadRequest
from paperclip.feature_router import FeatureRouter
from paperclip.issues import checkout as checkout_service
from paperclip.issues import comments, labels, service, updates
from paperclip.issues import force_release as force_release_service
from paperclip.issues.identifiers import find_visible_issue, require_uuid
from paperclip.issues.schemas import CheckoutBody, CommentCreate, IssueCreate, IssueUpdate, LabelCreate
from paperclip.issues.shapes import issue_to_wire, json_response
from paperclip.storage.cleanup import remove_queued_objects_after_response

router = FeatureRouter(tags=["issues"])

QStr = Annotated[str | None, Query(max_length=10_000)]


@router.get("/companies/{company_id}/issues")
@returns("list[IssueRow]")
async def list_issues(
    company_id: str,
    session: DB,
    actor: ActorDep,
    status: QStr = None,
    assigneeAgentId: QStr = None,
    assigneeUserId: QStr = None,  # noqa: N803
    projectId: QStr = None,
    goalId: QStr = None,
    parentId: QStr = None,  # noqa: N803
    labelId: QStr = None,
    label: QStr = None,
    q: QStr = None,
    originKind: QStr = None,  # noqa: N803
    participantAgentId: QStr = None,
    descendantOf: QStr = None,
    createdFromIssueId: QStr = None,  # noqa: N803
    touchedByUserId: QStr = None,
    unreadForUserId: QStr = None,
    inboxArchivedByUserId: QStr = None,  # noqa: N803
    limit: QStr = None,
    offset: QStr = None,
    sortField: QStr = None,
    sortDir: QStr = None,  # noqa: N803
    includeBlockedBy: QStr = None,
    includeRoutineExecutions: QStr = None,  # noqa: N803
    includeLiveDescendantSummary: QStr = None,
    view: QStr = None,  # noqa: N803
) -> Response:
    filters = service.ListFilters(
        status=status,
        assignee_agent_id=assigneeAgentId,
        assignee_user_id=assigneeUserId,
        project_id=projectId,
        goal_id=goalId,
        parent_id=parentId,
        label_id=labelId,
        label=label,
        q=q,
        origin_kind=originKind,
        participant_agent_id=participantAgentId,
        descendant_of=descendantOf,
        created_from_issue_id=createdFromIssueId,
        touched_by_user_id=touchedByUserId,
        unread_for_user_id=unreadForUserId,
        inbox_archived_by_user_id=inboxArchivedByUserId,
        limit=limit,
        offset=offset,
        sort_field=sortField,
        sort_dir=sortDir,
        include_blocked_by=includeBlockedBy,
        include_routine_executions=includeRoutineExecutions,
        include_live_descendant_summary=includeLiveDescendantSummary,
        view=view,
    )
    page = await service.list_issues(session, actor, require_uuid(company_id, "Company not found"), filters)
    return Response(page, media_type="application/json")


@router.post("/companies/{company_id}/issues", status_code=201)
@returns("CreatedIssue")
async def create_issue(
    company_id: str, body: IssueCreate, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(
        await service.create_issue(session, actor, require_uuid(company_id, "Company not found"), body, now),
        201,
    )


@router.get("/issues/{issue_id}")
@returns("IssueDetail")
async def get_issue(issue_id: str, session: DB, actor: ActorDep) -> Response:
    return Response(await service.get_issue(session, actor, issue_id), media_type="application/json")


@router.patch("/issues/{issue_id}")
@returns("UpdatedIssue")
async def update_issue(issue_id: str, body: IssueUpdate, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await updates.update_issue(session, actor, issue_id, body, now))


@router.delete("/issues/{issue_id}")
@returns("Issue")
async def delete_issue(
    issue_id: str, session: DB, actor: ActorDep, now: Now, background: BackgroundTasks, request: Request
) -> Response:
    result = json_response(await service.delete_issue(session, actor, issue_id, now))
    remove_queued_objects_after_response(background, request)
    return result


@router.post("/issues/{issue_id}/children", status_code=201)
@returns("CreatedIssue")
async def create_child(issue_id: str, body: IssueCreate, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(await service.create_child(session, actor, issue_id, body, now), 201)


@router.get("/issues/{issue_id}/activity")
@returns("paperclip.activity.responses:list[ActivityEntry]")
async def issue_activity(issue_id: str, session: DB, actor: ActorDep, limit: QStr = None) -> Response:
    return json_response(await service.issue_activity(session, actor, issue_id, limit))


@router.get("/issues/{issue_id}/cost-summary")
@returns("paperclip.costs.responses:IssueCostSummary")
async def issue_cost_summary(issue_id: str, session: DB, actor: ActorDep):
    issue = await find_visible_issue(session, actor, issue_id)
    return await cost_reports.issue_summary(session, issue.id, issue.company_id)


@router.post("/issues/{issue_id}/checkout")
@returns("Issue")
async def checkout(issue_id: str, body: CheckoutBody, session: DB, actor: ActorDep, now: Now) -> Response:
    return Response(
        await checkout_service.checkout(session, actor, issue_id, body, now), media_type="application/json"
    )


@router.post("/issues/{issue_id}/release")
@returns("Issue")
async def release(issue_id: str, session: DB, actor: ActorDep, now: Now) -> Response:
    row = await checkout_service.release(session, actor, issue_id, now)
    return json_response(issue_to_wire(row, row["labels_json"]))


@router.post("/issues/{issue_id}/admin/force-release")
@returns("ForceReleased")
async def force_release(
    issue_id: str, session: DB, actor: ActorDep, now: Now, clearAssignee: QStr = None
) -> Response:  # noqa: N803
    if clearAssignee not in (None, "", "true", "false", "1", "0"):
        raise BadRequest("clearAssignee must be true or false")
    return json_response(
        await force_release_service.force_release(
            session, actor, issue_id, clearAssignee in ("true", "1"), now
        )
    )


@router.get("/issues/{issue_id}/comments")
@returns("list[Comment]")
async def list_comments(
    issue_id: str,
    session: DB,
    actor: ActorDep,
    after: QStr = None,
    order: QStr = None,
    limit: QStr = None,
    afterCommentId: QStr = None,
) -> Response:  # noqa: N803
    # afterCommentId: the original CLI's name for `after` (both are accepted by the original)
    return json_response(
        await comments.list_comments(
            session, actor, issue_id, after=after or afterCommentId, order=order, limit=limit
        )
    )


@router.post("/issues/{issue_id}/comments", status_code=201)
@returns("Comment")
async def add_comment(issue_id: str, body: CommentCreate, session: DB, actor: ActorDep, now: Now) -> Response:
    return json_response(
        await comments.add_comment(session, actor, issue_id, body.body, body.reopen, now), 201
    )


@router.get("/issues/{issue_id}/comments/{comment_id}")
@returns("Comment")
async def get_comment(issue_id: str, comment_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await comments.get_comment(session, actor, issue_id, comment_id))


@router.delete("/issues/{issue_id}/comments/{comment_id}")
@returns("Comment")
async def delete_comment(
    issue_id: str,
    comment_id: str,
    session: DB,
    actor: ActorDep,
    background: BackgroundTasks,
    request: Request,
) -> Response:
    result = json_response(await comments.delete_comment(session, actor, issue_id, comment_id))
    remove_queued_objects_after_response(background, request)  # images only the comment showed
    return result


@router.get("/companies/{company_id}/labels")
@returns("list[Label]")
async def list_labels(company_id: str, session: DB, actor: ActorDep, page: PageDep) -> Response:
    company = require_uuid(company_id, "Company not found")
    return page.respond(await labels.list_labels(session, actor, company, page.window))


@router.post("/companies/{company_id}/labels", status_code=201)
@returns("Label")
async def create_label(
    company_id: str, body: LabelCreate, session: DB, actor: ActorDep, now: Now
) -> Response:
    return json_response(
        await labels.create_label(session, actor, require_uuid(company_id, "Company not found"), body, now),
        201,
    )


@router.delete("/labels/{label_id}")
@returns("Label")
async def delete_label(label_id: str, session: DB, actor: ActorDep) -> Response:
    return json_response(await labels.delete_label(session, actor, label_id))

"""/api approvals routes, and the approval links of an issue (/issues/{id}/approvals)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import Ok, returns
from paperclip.approvals import links, service
from paperclip.approvals.schemas import (
    ApprovalCommentCreate,
    ApprovalCreate,
    Decision,
    IssueLink,
    Resubmit,
    approval_to_wire,
    comment_to_wire,
    linked_issue_to_wire,
)
from paperclip.costs.schemas import path_id
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["approvals"])
NOT_FOUND = service.APPROVAL_NOT_FOUND


@router.get("/companies/{company_id}/approvals")
@returns("list[Approval]")
async def list_approvals(
    company_id: str,
    session: DB,
    actor: ActorDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=64)] = None,
):
    cid = path_id(company_id, "Company not found")
    approvals = await service.list_approvals(session, actor, cid, status, page.window)
    return page.respond([approval_to_wire(a) for a in approvals])


@router.post("/companies/{company_id}/approvals", status_code=201)
@returns("Approval")
async def create_approval(
    company_id: str, body: ApprovalCreate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    # A repeated idempotencyKey answers like the first call did: 201 with the same approval.
    approval, _created = await service.create_approval(
        session,
        actor,
        path_id(company_id, "Company not found"),
        body,
        now,
        strict_secrets=settings.secrets.strict_mode,
    )
    return approval_to_wire(approval)


@router.get("/approvals/{approval_id}")
@returns("Approval")
async def get_approval(approval_id: str, session: DB, actor: ActorDep):
    return approval_to_wire(await service.get_approval(session, actor, path_id(approval_id, NOT_FOUND)))


def _decision_route(action: str) -> None:
    @returns("Approval")
    async def handler(approval_id: str, body: Decision, session: DB, actor: ActorDep, now: Now):
        approval = await service.decide(
            session, actor, path_id(approval_id, NOT_FOUND), action, body.decisionNote, now
        )
        return approval_to_wire(approval)

    handler.__name__ = "approval_" + action.replace("-", "_")
    router.add_api_route(f"/approvals/{{approval_id}}/{action}", handler, methods=["POST"])


for _action in service.DECISIONS:
    _decision_route(_action)


@router.post("/approvals/{approval_id}/resubmit")
@returns("Approval")
async def resubmit(
    approval_id: str, body: Resubmit, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return approval_to_wire(
        await service.resubmit(
            session,
            actor,
            path_id(approval_id, NOT_FOUND),
            body.payload,
            now,
            strict_secrets=settings.secrets.strict_mode,
        )
    )


@router.get("/approvals/{approval_id}/comments")
@returns("list[ApprovalComment]")
async def list_comments(approval_id: str, session: DB, actor: ActorDep, page: PageDep):
    comments = await service.list_comments(session, actor, path_id(approval_id, NOT_FOUND), page.window)
    return page.respond([comment_to_wire(c) for c in comments])


@router.post("/approvals/{approval_id}/comments", status_code=201)
@returns("ApprovalComment")
async def add_comment(approval_id: str, body: ApprovalCommentCreate, session: DB, actor: ActorDep, now: Now):
    return comment_to_wire(
        await service.add_comment(session, actor, path_id(approval_id, NOT_FOUND), body.body, now)
    )


@router.get("/approvals/{approval_id}/issues")
@returns("list[LinkedIssue]")
async def approval_issues(approval_id: str, session: DB, actor: ActorDep, page: PageDep):
    issues = await service.approval_issues(session, actor, path_id(approval_id, NOT_FOUND), page.window)
    return page.respond([linked_issue_to_wire(i) for i in issues])


@router.get("/issues/{issue_id}/approvals")
@returns("list[Approval]")
async def issue_approvals(issue_id: str, session: DB, actor: ActorDep, page: PageDep):
    issue = await links.find_issue(session, actor, issue_id)
    return page.respond(
        [approval_to_wire(a) for a in await links.linked_approvals(session, issue.id, page.window)]
    )


@router.post("/issues/{issue_id}/approvals", status_code=201)
@returns("list[Approval]")
async def link_approval(issue_id: str, body: IssueLink, session: DB, actor: ActorDep, now: Now):
    issue = await links.find_issue(session, actor, issue_id)
    await links.link(session, actor, issue, body.approvalId, now)
    return [approval_to_wire(a) for a in await links.linked_approvals(session, issue.id)]


@router.delete("/issues/{issue_id}/approvals/{approval_id}")
@returns(Ok)
async def unlink_approval(issue_id: str, approval_id: str, session: DB, actor: ActorDep):
    issue = await links.find_issue(session, actor, issue_id)
    await links.unlink(session, actor, issue, path_id(approval_id, NOT_FOUND))
    return {"ok": True}

"""GET /issues/{id}/runner-goal (issues/runner_state.py), the queued comments
(issues/queued_comments.py: list, edit, discard, reorder, interrupt, steer) and the blocker
diagnostics (issues/diagnostics.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter
from paperclip.issues import diagnostics, queued_comments, runner_state

router = FeatureRouter(tags=["issues"])

Token = Annotated[StrictStr, Field(min_length=1, max_length=200)]


class QueueRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    queueId: Token  # noqa: N815
    revision: Token


class EditBody(QueueRef):
    body: Annotated[StrictStr, Field(min_length=1, max_length=200_000)]


class OrderBody(QueueRef):
    orderedCommentIds: Annotated[list[Token], Field(max_length=1000)]  # noqa: N815


class TargetBody(QueueRef):
    targetRunId: Token  # noqa: N815


@router.get("/issues/{issue_id}/runner-goal")
@returns("RunnerGoal")
async def runner_goal(
    issue_id: str, session: DB, actor: ActorDep, agentId: str | None = Query(None)
) -> dict[str, Any]:
    return await runner_state.runner_goal(session, actor, issue_id, agentId)


@router.get("/issues/{issue_id}/diagnostics/blockers")
@returns("BlockerDiagnostics")
async def blocker_diagnostics(issue_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await diagnostics.blockers(session, actor, issue_id)


@router.get("/issues/{issue_id}/diagnostics/wakes")
@returns("WakeDiagnostics")
async def wake_diagnostics(issue_id: str, session: DB, actor: ActorDep, now: Now) -> dict[str, Any]:
    return await diagnostics.wakes(session, actor, issue_id, now)


@router.get("/issues/{issue_id}/diagnostics/subtree")
@returns("SubtreeDiagnostics")
async def subtree_diagnostics(issue_id: str, session: DB, actor: ActorDep, now: Now) -> dict[str, Any]:
    return await diagnostics.subtree(session, actor, issue_id, now)


@router.get("/issues/{issue_id}/queued-comments")
@returns("QueuedComments")
async def list_queued(issue_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await queued_comments.queued_comments(session, actor, issue_id)


@router.put("/issues/{issue_id}/queued-comments/order")
@returns("QueuedComments")
async def reorder_queued(
    issue_id: str, body: OrderBody, session: DB, actor: ActorDep, now: Now
) -> dict[str, Any]:
    return await queued_comments.reorder(session, actor, issue_id, body.model_dump(), now)


@router.post("/issues/{issue_id}/queued-comments/interrupt")
@returns("QueuedComments")
async def interrupt_queued(
    issue_id: str, body: TargetBody, session: DB, actor: ActorDep, now: Now
) -> dict[str, Any]:
    return await queued_comments.interrupt(session, actor, issue_id, body.model_dump(), now)


@router.patch("/issues/{issue_id}/queued-comments/{comment_id}")
@returns("QueuedComments")
async def edit_queued(
    issue_id: str, comment_id: str, body: EditBody, session: DB, actor: ActorDep, now: Now
) -> dict[str, Any]:
    return await queued_comments.edit(session, actor, issue_id, comment_id, body.model_dump(), now)


@router.delete("/issues/{issue_id}/queued-comments/{comment_id}")
@returns("QueuedComments")
async def discard_queued(
    issue_id: str, comment_id: str, body: QueueRef, session: DB, actor: ActorDep, now: Now
) -> dict[str, Any]:
    return await queued_comments.discard(session, actor, issue_id, comment_id, body.model_dump(), now)


@router.post("/issues/{issue_id}/queued-comments/{comment_id}/steer")
@returns("QueuedComments")
async def steer_queued(
    issue_id: str, comment_id: str, body: TargetBody, session: DB, actor: ActorDep
) -> dict[str, Any]:
    await queued_comments.steer(session, actor, issue_id, comment_id, body.model_dump())
    return {}

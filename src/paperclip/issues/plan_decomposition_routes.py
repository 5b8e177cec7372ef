"""GET/POST /issues/{id}/accepted-plan-decompositions (issues/plan_decompositions.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.feature_router import FeatureRouter
from paperclip.issues import plan_decompositions
from paperclip.issues.schemas import IssueCreate

router = FeatureRouter(tags=["issues"])
MAX_CHILDREN = 50  # a plan's steps, not a bulk import


class DecompositionCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    acceptedPlanRevisionId: uuid.UUID  # noqa: N815
    children: Annotated[list[IssueCreate], Field(min_length=1, max_length=MAX_CHILDREN)]


@router.get("/issues/{issue_id}/accepted-plan-decompositions")
@returns("list[PlanDecompositionRow]")
async def list_decompositions(issue_id: str, session: DB, actor: ActorDep, page: PageDep) -> Response:
    return page.respond(await plan_decompositions.list_decompositions(session, actor, issue_id, page.window))


@router.post("/issues/{issue_id}/accepted-plan-decompositions")
@returns("PlanDecompositionResult")
async def create_decomposition(
    issue_id: str, body: DecompositionCreate, session: DB, actor: ActorDep, now: Now
) -> dict[str, Any]:
    return await plan_decompositions.decompose(
        session, actor, issue_id, body.acceptedPlanRevisionId, body.children, now
    )

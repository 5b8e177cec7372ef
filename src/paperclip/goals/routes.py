"""/api/companies/{id}/goals and /api/goals/{id} routes."""

from __future__ import annotations

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.auth.ids import path_uuid
from paperclip.feature_router import FeatureRouter
from paperclip.goals import service
from paperclip.goals.schemas import GoalCreate, GoalPatch, goal_to_wire

router = FeatureRouter(tags=["goals"])
GOAL = "Goal not found"
COMPANY = "Company not found"


@router.get("/companies/{company_id}/goals")
@returns("list[Goal]")
async def list_goals(company_id: str, session: DB, actor: ActorDep, page: PageDep):
    goals = await service.list_goals(session, actor, path_uuid(company_id, COMPANY), page.window)
    return page.respond([goal_to_wire(g) for g in goals])


@router.post("/companies/{company_id}/goals", status_code=201)
@returns("Goal")
async def create_goal(company_id: str, body: GoalCreate, session: DB, actor: ActorDep, now: Now):
    return goal_to_wire(await service.create_goal(session, actor, path_uuid(company_id, COMPANY), body, now))


@router.get("/goals/{goal_id}")
@returns("Goal")
async def get_goal(goal_id: str, session: DB, actor: ActorDep):
    return goal_to_wire(await service.get_goal(session, actor, path_uuid(goal_id, GOAL)))


@router.patch("/goals/{goal_id}")
@returns("Goal")
async def update_goal(goal_id: str, body: GoalPatch, session: DB, actor: ActorDep, now: Now):
    return goal_to_wire(await service.update_goal(session, actor, path_uuid(goal_id, GOAL), body, now))


@router.delete("/goals/{goal_id}")
@returns("Goal")
async def delete_goal(goal_id: str, session: DB, actor: ActorDep):
    return goal_to_wire(await service.delete_goal(session, actor, path_uuid(goal_id, GOAL)))

"""/api/companies routes."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import Ok, returns
from paperclip.auth.ids import path_uuid
from paperclip.companies import service
from paperclip.companies.org import org_tree
from paperclip.companies.schemas import BrandingPatch, CompanyCreate, CompanyPatch, company_to_wire
from paperclip.costs import budgets
from paperclip.costs.schemas import BudgetAmount
from paperclip.errors import BadRequest
from paperclip.feature_router import FeatureRouter
from paperclip.storage.cleanup import remove_queued_objects_after_response

router = FeatureRouter(tags=["companies"])
NOT_FOUND = "Company not found"


@router.get("/companies")
@returns("list[Company]")
async def list_companies(session: DB, actor: ActorDep, page: PageDep, scope: str | None = None):
    if scope is not None and scope != "accessible":  # the original's board client sends scope=accessible
        raise BadRequest("scope must be a single accessible value when provided")
    return page.respond(
        [company_to_wire(c) for c in await service.list_companies(session, actor, page.window)]
    )


@router.get("/companies/stats")
@returns("dict[str, CompanyCounts]")
async def company_stats(session: DB, actor: ActorDep):
    return await service.company_stats(session, actor)


@router.post("/companies", status_code=201)
@returns("Company")
async def create_company(body: CompanyCreate, session: DB, actor: ActorDep, now: Now):
    return company_to_wire(await service.create_company(session, actor, body, now))


@router.get("/companies/{company_id}")
@returns("Company")
async def get_company(company_id: str, session: DB, actor: ActorDep):
    return company_to_wire(await service.get_company(session, actor, path_uuid(company_id, NOT_FOUND)))


@router.patch("/companies/{company_id}")
@returns("Company")
async def update_company(company_id: str, body: CompanyPatch, session: DB, actor: ActorDep, now: Now):
    company = await service.update_company(session, actor, path_uuid(company_id, NOT_FOUND), body, now)
    return company_to_wire(company)


@router.post("/companies/{company_id}/archive")
@returns("Company")
async def archive_company(company_id: str, session: DB, actor: ActorDep, now: Now):
    return company_to_wire(
        await service.archive_company(session, actor, path_uuid(company_id, NOT_FOUND), now)
    )


@router.delete("/companies/{company_id}")
@returns(Ok)
async def delete_company(
    company_id: str,
    session: DB,
    actor: ActorDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    request: Request,
):
    await service.delete_company(session, actor, settings, path_uuid(company_id, NOT_FOUND))
    remove_queued_objects_after_response(background, request)
    return {"ok": True}


@router.patch("/companies/{company_id}/branding")
@returns("Company")
async def update_branding(company_id: str, body: BrandingPatch, session: DB, actor: ActorDep, now: Now):
    company = await service.update_company(
        session, actor, path_uuid(company_id, NOT_FOUND), body, now, action="company.branding_updated"
    )
    return company_to_wire(company)


@router.get("/companies/{company_id}/org")
@returns("list[OrgNode]")
async def company_org(company_id: str, session: DB, actor: ActorDep):
    cid = path_uuid(company_id, NOT_FOUND)
    actor.require_company(cid)
    tree = await org_tree(session, cid)
    if not tree:
        await service.require_company_exists(session, cid)
    return tree


@router.patch("/companies/{company_id}/budgets")
@returns("Company")
async def set_company_budget(company_id: str, body: BudgetAmount, session: DB, actor: ActorDep, now: Now):
    actor.require_board()
    cid = path_uuid(company_id, NOT_FOUND)
    actor.require_company(cid)
    return company_to_wire(
        await budgets.set_company_budget(session, actor, cid, body.budgetMonthlyCents, now)
    )

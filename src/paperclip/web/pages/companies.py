"""Companies: list (with counts), create, switch (remembered in a cookie)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from paperclip.companies.schemas import CompanyCreate
from paperclip.companies.service import company_stats, create_company, list_companies
from paperclip.web.context import COMPANY_COOKIE, CompanyPage, PageActor, selected_company
from paperclip.web.csrf import csrf_protect
from paperclip.web.forms import cents, form_data, parse
from paperclip.web.render import done, redirect, render

router = APIRouter()


async def _list(page, request: Request):
    companies = await list_companies(page.session, page.actor)
    stats = await company_stats(page.session, page.actor)
    return await render(request, "companies/list.html", all_companies=companies, stats=stats)


@router.get("/companies")
async def companies_unprefixed(request: Request, page: PageActor):
    company = await selected_company(page)
    if company is not None:
        return redirect(f"/{company.issue_prefix}/companies")
    return await _list(page, request)


@router.get("/{prefix}/companies")
async def companies(request: Request, page: CompanyPage):
    return await _list(page, request)


@router.get("/companies/switch")
async def switch(page: PageActor, prefix: str = ""):
    companies = await list_companies(page.session, page.actor)
    target = next((c for c in companies if c.issue_prefix == prefix.upper()), None)
    if target is None:
        return redirect("/companies")
    response = redirect(f"/{target.issue_prefix}/dashboard")
    response.set_cookie(COMPANY_COOKIE, target.issue_prefix, samesite="lax", max_age=365 * 86400, path="/")
    return response


@router.post("/companies", dependencies=[Depends(csrf_protect)])
async def create(request: Request, page: PageActor):
    form = await form_data(request)
    body = parse(
        CompanyCreate,
        {
            "name": form.text("name"),
            "description": form.text("description") or None,
            "budgetMonthlyCents": cents(form.get("budget")),
            "requireBoardApprovalForNewAgents": form.get("requireApproval") == "on",
        },
    )
    company = await create_company(page.session, page.actor, body, page.now)
    response = done(request, f"/{company.issue_prefix}/dashboard")
    response.set_cookie(COMPANY_COOKIE, company.issue_prefix, samesite="lax", max_age=365 * 86400, path="/")
    return response

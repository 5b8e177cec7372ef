"""`/` and unprefixed paths: redirect to the selected company (or to onboarding when there is none)."""

from __future__ import annotations

from fastapi import APIRouter

from paperclip.errors import NotFound
from paperclip.web.context import PageActor, selected_company
from paperclip.web.render import redirect

router = APIRouter()

UNPREFIXED = {
    "dashboard",
    "inbox",
    "issues",
    "board",
    "agents",
    "org",
    "projects",
    "goals",
    "approvals",
    "costs",
    "activity",
    "routines",
}


@router.get("/")
async def root(page: PageActor):
    company = await selected_company(page)
    return redirect(f"/{company.issue_prefix}/dashboard" if company else "/onboarding")


@router.get("/{name}")
async def unprefixed(name: str, page: PageActor):
    if name.lower() in UNPREFIXED:
        company = await selected_company(page)
        if company is None:
            return redirect("/onboarding")
        return redirect(f"/{company.issue_prefix}/{name.lower()}")
    if not name.isalnum():
        raise NotFound("Page not found")
    return redirect(f"/{name.upper()}/dashboard")

"""What every page route depends on: the request's session, the board actor, the company of the URL.

    @router.get("/{prefix}/things")
    async def things(page: CompanyPage): ...   # page.session, page.actor, page.company, page.now

`PageActor` (no company in the URL) and `CompanyPage` both require a board actor; without one
(authenticated mode, signed out) the page answers a redirect to /auth?next=<this page>.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.api.unit_of_work import SCOPE_KEY
from paperclip.auth.actor import Actor
from paperclip.auth.resolve import resolve_actor
from paperclip.clock import utcnow
from paperclip.db.models import Company
from paperclip.errors import AppError, NotFound

COMPANY_COOKIE = "pc_company"


class SignInRequired(AppError):
    status_code = 401

    def __init__(self, next_url: str):
        super().__init__("Sign in required")
        self.next_url = next_url


async def load_actor(request: Request) -> Actor:
    """The board member behind this browser: local_trusted's implicit board, or (authenticated mode)
    the session cookie set at sign-in; a bearer token works too, as in the API."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    session = request.scope[SCOPE_KEY].get_session()
    state = request.app.state
    cookie = None
    if not state.settings.is_local_trusted and getattr(state, "session_cookie", None) is not None:
        cookie = state.session_cookie.read(request.headers.get("cookie"))
    actor = await resolve_actor(
        session,
        state.settings,
        authorization=request.headers.get("authorization"),
        run_id_header=None,
        now=utcnow(),
        session_token=cookie,
    )
    request.state.actor = actor
    return actor


@dataclass
class Page:
    request: Request
    session: AsyncSession
    actor: Actor
    now: datetime
    # Set by `CompanyPage` (every route with a company in its URL); `PageActor` pages leave it None.
    company: Company = None  # type: ignore[assignment]

    @property
    def prefix(self) -> str:
        return self.company.issue_prefix if self.company else ""


async def page_actor(request: Request) -> Page:
    actor = await load_actor(request)
    if not actor.is_board:
        raise SignInRequired(str(request.url.path))
    return Page(request, request.scope[SCOPE_KEY].get_session(), actor, utcnow())


async def company_page(request: Request, prefix: str) -> Page:
    page = await page_actor(request)
    company = await page.session.scalar(sa.select(Company).where(Company.issue_prefix == prefix.upper()))
    if company is None or not page.actor.can_access(company.id):
        raise NotFound("Company not found")
    page.company = company
    request.state.company = company
    return page


PageActor = Annotated[Page, Depends(page_actor)]
CompanyPage = Annotated[Page, Depends(company_page)]


async def selected_company(page: Page) -> Company | None:
    """The company remembered in the `pc_company` cookie, else the first one the actor sees."""
    from paperclip.web.render import visible_companies  # noqa: PLC0415 - render imports this module

    companies = await visible_companies(page.request, page.actor)
    wanted = page.request.cookies.get(COMPANY_COOKIE, "").upper()
    for company in companies:
        if company.issue_prefix == wanted:
            return company
    return companies[0] if companies else None

"""render(request, template, status=200, **ctx): a page or fragment as an HTMLResponse.

Jinja2 with autoescaping. Every template sees: `actor`, `companies` (visible to the actor),
`company` (of the URL prefix, or None), `prefix`, `csrf_token`, `csp_nonce`, `is_fragment`
(the request carried `X-Fragment: 1`), `path`, plus the globals `static_url`, `markdown`, and the
filters `reltime`, `abstime`, `money`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jinja2
import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from paperclip.agents.schemas import url_key
from paperclip.db.models import Company
from paperclip.web.csrf import COOKIE, csrf_token
from paperclip.web.markdown import render_markdown
from paperclip.web.security import csp_nonce
from paperclip.web.static import static_url

TEMPLATES_DIR = Path(__file__).parent / "templates"


def abstime(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def reltime(value: datetime | str | None) -> Markup:
    """`<time>` with the absolute time on hover; app.js keeps the relative text fresh."""
    if value is None:
        return Markup("")
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    seconds = int((datetime.now(UTC) - when).total_seconds())
    ago = abs(seconds)
    for size, unit in ((86400 * 365, "y"), (86400 * 30, "mo"), (86400, "d"), (3600, "h"), (60, "m")):
        if ago >= size:
            text = f"{ago // size}{unit}"
            break
    else:
        text = "now" if ago < 10 else f"{ago}s"
    if text != "now":
        text = f"{text} ago" if seconds >= 0 else f"in {text}"
    return Markup('<time datetime="{}" title="{}" data-rel>{}</time>').format(_iso(when), abstime(when), text)


def money(cents: int | None) -> str:
    return f"${(cents or 0) / 100:,.2f}"


env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(["html", "svg"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=True,
)
env.globals.update(static_url=static_url, markdown=render_markdown, url_key=url_key)
env.filters.update(reltime=reltime, abstime=abstime, money=money)


def is_fragment(request: Request) -> bool:
    return request.headers.get("x-fragment") == "1"


async def visible_companies(request: Request, actor) -> list[Company]:
    cached = getattr(request.state, "companies", None)
    if cached is not None:
        return cached
    from paperclip.api.unit_of_work import SCOPE_KEY  # noqa: PLC0415

    session = request.scope[SCOPE_KEY].get_session()
    stmt = sa.select(Company).where(Company.status != "archived").order_by(Company.created_at, Company.id)
    if not (actor.is_instance_admin or actor.source == "local_implicit"):
        stmt = stmt.where(Company.id.in_(actor.company_ids or []))
    companies = list(await session.scalars(stmt))
    request.state.companies = companies
    return companies


async def base_context(request: Request) -> dict:
    actor = getattr(request.state, "actor", None)
    company = getattr(request.state, "company", None)
    companies = await visible_companies(request, actor) if actor is not None and actor.is_board else []
    return {
        "request": request,
        "actor": actor,
        "companies": companies,
        "company": company,
        "prefix": company.issue_prefix if company else "",
        "csrf_token": csrf_token(request),
        "csp_nonce": csp_nonce(request.scope),
        "is_fragment": is_fragment(request),
        "path": request.url.path,
        # a viewer of the URL's company: pages leave out their mutating controls (the routes refuse them too)
        "read_only": bool(company is not None and actor is not None and actor.is_viewer_of(company.id)),
    }


async def render(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    context = await base_context(request)
    context.update(ctx)
    html = (
        await env.get_template(template).render_async(context)
        if env.is_async
        else env.get_template(template).render(context)
    )
    response = HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            COOKIE,
            context["csrf_token"],
            httponly=True,
            samesite="strict",
            path="/",
            secure=request.url.scheme == "https",
        )
    return response


def redirect(url: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status)


def done(request: Request, url: str):
    """After a successful form post without a fragment to show: JS follows `X-Location`, others redirect."""
    if is_fragment(request):
        return HTMLResponse("", status_code=200, headers={"x-location": url, "cache-control": "no-store"})
    return redirect(url)

"""GET /api/companies/{id}/org.svg and org.png: the org chart as a standalone image (for READMEs,
reports, chat), drawn by the same renderer as the board's org page (paperclip.web.svg.org_chart) with
its colours inlined, since an image has no page stylesheet. PNG is the same SVG rasterised by CairoSVG;
where the system cairo library is missing the PNG route answers 501 naming it."""

from __future__ import annotations

import asyncio

from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep
from paperclip.api.responses import ErrorAnswer, returns
from paperclip.companies.org import org_tree
from paperclip.errors import AppError, NotFound
from paperclip.feature_router import FeatureRouter
from paperclip.ids import path_uuid
from paperclip.web import queries
from paperclip.web.svg import org_chart

router = FeatureRouter(tags=["org"])

# The board's org-chart classes (web/static CSS) as inline rules, light theme.
_STYLE = """<style>
.org-node rect{fill:#ffffff;stroke:#e7e5e4;stroke-width:1}
.org-link{fill:none;stroke:#d6d3d1;stroke-width:2}
.org-name{font:600 14px system-ui,-apple-system,sans-serif;fill:#1c1917}
.org-sub{font:500 11px system-ui,-apple-system,sans-serif;fill:#78716c}
.org-dot{fill:#a8a29e}
.status-running .org-dot,.status-active .org-dot{fill:#2563eb}
.status-idle .org-dot{fill:#16a34a}
.status-paused .org-dot,.status-pending_approval .org-dot{fill:#d97706}
.status-error .org-dot{fill:#dc2626}
</style>"""


class PngUnavailable(AppError):
    status_code = 501


async def _svg(session, actor, company_id: str) -> bytes:
    cid = path_uuid(company_id, "Company not found")
    actor.require_company(cid)
    prefix = await queries.COMPANY_PREFIX.fetchval(session, cid=cid)
    if prefix is None:
        raise NotFound("Company not found")
    return standalone_svg(await org_tree(session, cid), prefix)


def standalone_svg(roots: list, prefix: str) -> bytes:
    chart = str(org_chart(roots, lambda node: f"/{prefix}/agents/{node['id']}"))
    head, _, rest = chart.partition(">")  # after the opening <svg …>: the styles and a background
    return (f'{head}>{_STYLE}<rect width="100%" height="100%" fill="#fafaf9"/>{rest}').encode()


@router.get("/companies/{company_id}/org.svg")
@returns(media="image/svg+xml", description="The org chart as a standalone SVG")
async def org_svg(company_id: str, session: DB, actor: ActorDep) -> Response:
    body = await _svg(session, actor, company_id)
    return Response(body, media_type="image/svg+xml; charset=utf-8", headers={"Cache-Control": "no-cache"})


def _rasterise(svg: bytes) -> bytes:
    try:
        import cairosvg  # imported here: it loads the system cairo library, which a slim image may lack
    except (ImportError, OSError) as exc:
        raise PngUnavailable(
            "PNG rendering needs the cairo library (Debian: apt-get install libcairo2); "
            "org.svg works without it"
        ) from exc
    return cairosvg.svg2png(bytestring=svg)


@router.get("/companies/{company_id}/org.png")
@returns(media="image/png", description="The org chart as a PNG")
@returns(ErrorAnswer, status=501, description="PNG rendering needs the system cairo library (libcairo2)")
async def org_png(company_id: str, session: DB, actor: ActorDep) -> Response:
    svg = await _svg(session, actor, company_id)
    png = await asyncio.to_thread(_rasterise, svg)  # rasterising is CPU work: off the event loop
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-cache"})

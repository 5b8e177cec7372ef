"""The org chart: the company's reporting tree with each agent's live status, drawn as SVG on the server."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from paperclip.companies.org import org_tree
from paperclip.web.context import CompanyPage
from paperclip.web.pages.agents import agent_hrefs
from paperclip.web.pages.formkit import render_page
from paperclip.web.render import is_fragment
from paperclip.web.svg import org_chart

router = APIRouter()


def _count(nodes: list[dict[str, Any]]) -> int:
    return sum(1 + _count(n["reports"]) for n in nodes)


@router.get("/{prefix}/org")
async def org(page: CompanyPage):
    roots = await org_tree(page.session, page.company.id)
    hrefs = {str(k): v for k, v in (await agent_hrefs(page)).items()}
    svg = org_chart(roots, lambda node: hrefs.get(node["id"], f"/{page.prefix}/agents/{node['id']}"))
    template = "org/_chart.html" if is_fragment(page.request) else "org/org.html"
    return await render_page(page, template, roots=roots, svg=svg, hrefs=hrefs, total=_count(roots))

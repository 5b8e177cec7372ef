"""The company's audit stream: newest first, filtered by entity type, action and agent, paginated.

/<P>/activity?entityType=agent&action=agent.paused&agentId=<uuid>&page=2
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter

from paperclip.activity.service import list_activity, to_wire
from paperclip.db.models import ActivityLog
from paperclip.web import queries
from paperclip.web.activity_text import Names
from paperclip.web.context import CompanyPage, Page
from paperclip.web.pages.agents import agent_hrefs
from paperclip.web.pages.formkit import Page as Pager
from paperclip.web.pages.formkit import render_page
from paperclip.web.render import is_fragment

router = APIRouter()
PER_PAGE = 50
ENTITY_TYPES = [
    "agent",
    "issue",
    "approval",
    "project",
    "goal",
    "company",
    "heartbeat_run",
    "cost_event",
    "budget_incident",
    "label",
]


def _clean(value: str | None, limit: int = 200) -> str:
    return (value or "").strip().replace("\x00", "")[:limit]


async def entity_links(page: Page, rows: list[ActivityLog], hrefs: dict[uuid.UUID, str]) -> dict[str, str]:
    """entity id -> page URL, for the entities these rows name."""
    links: dict[str, str] = {str(k): v for k, v in hrefs.items()}
    issue_ids = []
    for row in rows:
        try:
            eid = uuid.UUID(row.entity_id)
        except (ValueError, TypeError):
            continue
        kind = row.entity_type
        if kind == "issue":
            issue_ids.append(eid)
        elif kind in ("approval", "project", "goal"):
            links[row.entity_id] = f"/{page.prefix}/{kind}s/{eid}"
        elif kind == "heartbeat_run" and row.details and row.details.get("agentId") in links:
            links[row.entity_id] = f"{links[row.details['agentId']]}/runs/{eid}"
        elif kind == "budget_incident":
            links[row.entity_id] = f"/{page.prefix}/costs#incidents"
    if issue_ids:
        found = await queries.ISSUE_IDENTIFIERS_BY_IDS.fetch(page.session, ids=issue_ids, cid=page.company.id)
        for r in found:
            links[str(r["id"])] = f"/{page.prefix}/issues/{r['identifier']}"
    return links


@router.get("/{prefix}/activity")
async def activity(page: CompanyPage):
    q = page.request.query_params
    entity_type, action = _clean(q.get("entityType"), 64), _clean(q.get("action"))
    try:
        agent_id = uuid.UUID(q["agentId"]) if q.get("agentId") else None
    except ValueError:
        agent_id = None
    pager = Pager.of(page.request, PER_PAGE)
    rows = await list_activity(
        page.session,
        page.company.id,
        agent_id=agent_id,
        entity_type=entity_type or None,
        action=action or None,
        limit=pager.fetch,
        offset=pager.offset,
    )
    rows, has_next = pager.window(rows)
    hrefs = await agent_hrefs(page)
    agents = await queries.AGENT_NAMES.fetch(page.session, cid=page.company.id)
    names: dict[str, str] = {str(a["id"]): a["name"] for a in agents}
    filters: dict[str, Any] = {
        k: v
        for k, v in (
            ("entityType", entity_type),
            ("action", action),
            ("agentId", str(agent_id) if agent_id else ""),
        )
        if v
    }
    template = "activity/_list.html" if is_fragment(page.request) else "activity/activity.html"
    entries = [to_wire(r) for r in rows]
    return await render_page(
        page,
        template,
        rows=entries,
        text=await Names.load(page.session, entries),
        pager=pager,
        has_next=has_next,
        agents=agents,
        names=names,
        links=await entity_links(page, rows, hrefs),
        entity_types=ENTITY_TYPES,
        filters=filters,
        query=urlencode(filters),
        live=pager.number == 1,
    )

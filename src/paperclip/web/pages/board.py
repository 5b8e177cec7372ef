"""The board: kanban columns by status; dragging a card (or choosing in its menu) changes the status."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request

from paperclip.issues.service import ListFilters, list_issues
from paperclip.web import queries
from paperclip.web.context import CompanyPage
from paperclip.web.pages.issues import lookups
from paperclip.web.render import render

router = APIRouter()

COLUMNS = ["backlog", "todo", "in_progress", "in_review", "blocked", "done"]
PER_COLUMN = 50


@router.get("/{prefix}/board")
async def board(request: Request, page: CompanyPage):
    ctx = await lookups(page)
    assignee = request.query_params.get("assignee", "").strip()
    project = request.query_params.get("project", "").strip()
    show_cancelled = request.query_params.get("cancelled") == "1"
    columns = list(COLUMNS) + (["cancelled"] if show_cancelled else [])
    counts = {
        r["status"]: r["n"]
        for r in await queries.ISSUE_COUNTS_BY_STATUS.fetch(page.session, cid=page.company.id)
    }
    cards = {}
    for status in columns:
        filters = ListFilters(
            status=status,
            limit=str(PER_COLUMN),
            project_id=project or None,
            assignee_agent_id=("null" if assignee == "none" else assignee) or None,
        )
        cards[status] = orjson.loads(await list_issues(page.session, page.actor, page.company.id, filters))
    toggle = {k: v for k, v in (("assignee", assignee), ("project", project)) if v}
    if not show_cancelled:
        toggle["cancelled"] = "1"
    ctx.update(
        show_cancelled=show_cancelled,
        cancelled_toggle=urlencode(toggle),
        columns=columns,
        cards=cards,
        counts=counts,
        per_column=PER_COLUMN,
        f={"assignee": assignee, "project": project},
    )
    template = "board/_columns.html" if request.headers.get("x-fragment") == "1" else "board/index.html"
    return await render(request, template, **ctx)

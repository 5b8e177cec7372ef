"""Issues: the list (filters, keyboard navigation, pages of 50), create, and the issue page
(description, comments with @-mentions, fields editable in place, sub-issues, blockers, runs, activity)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request

from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Conflict
from paperclip.heartbeat.service import issue_runs
from paperclip.issues.comments import add_comment, list_comments
from paperclip.issues.schemas import PRIORITIES, IssueCreate, IssueUpdate
from paperclip.issues.service import (
    ListFilters,
    create_child,
    create_issue,
    get_issue,
    issue_activity,
    list_issues,
)
from paperclip.issues.updates import update_issue
from paperclip.web import queries
from paperclip.web.activity_text import Names
from paperclip.web.context import CompanyPage, Page
from paperclip.web.forms import FormData, form_data, parse
from paperclip.web.lookups import by_id, company_agents, company_labels, company_projects
from paperclip.web.pages.attachments import attachments_context
from paperclip.web.pages.formkit import WRITE
from paperclip.web.render import done, is_fragment, redirect, render

router = APIRouter()
PAGE_SIZE = 50
STATUS_ORDER = ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]


async def lookups(page: Page) -> dict:
    agents = await company_agents(page.session, page.company.id)
    projects = await company_projects(page.session, page.company.id)
    labels = await company_labels(page.session, page.company.id)
    return {
        "agents": agents,
        "agents_by_id": by_id(agents),
        "projects": projects,
        "projects_by_id": by_id(projects),
        "labels": labels,
        "statuses": STATUS_ORDER,
        "priorities": PRIORITIES,
    }


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {k: q.get(k, "").strip() for k in ("status", "assignee", "project", "label", "q")}


@router.get("/{prefix}/issues")
async def issues(request: Request, page: CompanyPage):
    f = _filters(request)
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    assignee = f["assignee"]
    filters = ListFilters(
        status=f["status"] or None,
        q=f["q"] or None,
        label_id=f["label"] or None,
        project_id=f["project"] or None,
        assignee_agent_id=None if assignee in ("", "me") else ("null" if assignee == "none" else assignee),
        assignee_user_id="me" if assignee == "me" else None,
        limit=str(PAGE_SIZE + 1),
        offset=str(offset),
    )
    rows = orjson.loads(await list_issues(page.session, page.actor, page.company.id, filters))
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    kept = {k: v for k, v in f.items() if v}
    ctx = await lookups(page)
    ctx.update(
        issues=rows,
        f=f,
        offset=offset,
        has_next=has_next,
        page_size=PAGE_SIZE,
        next_url=f"?{urlencode({**kept, 'offset': offset + PAGE_SIZE})}",
        prev_url=f"?{urlencode({**kept, 'offset': max(0, offset - PAGE_SIZE)})}",
        filtered=bool(kept),
        open_new=request.query_params.get("new") == "1",
    )
    if is_fragment(request):
        return await render(request, "issues/_results.html", **ctx)
    return await render(request, "issues/list.html", **ctx)


def issue_fields(form: FormData) -> dict:
    data: dict = {"title": form.text("title")}
    if form.text("description"):
        data["description"] = form.text("description")
    for key in ("status", "priority"):
        if form.text(key):
            data[key] = form.text(key)
    for key, field in (("assignee", "assigneeAgentId"), ("project", "projectId"), ("parent", "parentId")):
        if form.text(key):
            data[field] = form.text(key)
    labels = [v for v in form.getlist("labels") if v]
    if labels:
        data["labelIds"] = labels
    return data


@router.post("/{prefix}/issues", dependencies=WRITE)
async def create(request: Request, page: CompanyPage):
    form = await form_data(request)
    issue = await create_issue(
        page.session, page.actor, page.company.id, parse(IssueCreate, issue_fields(form)), page.now
    )
    url = f"/{page.prefix}/issues/{issue['identifier']}"
    if is_fragment(request) and form.get("_swap") == "row":
        ctx = await lookups(page)
        response = await render(request, "issues/_row.html", i=issue, **ctx)
        response.headers["x-toast"] = f"Created {issue['identifier']}"
        return response
    return done(request, url)


async def _taken_message(page: Page, exc: Conflict) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    agent_id = details.get("assigneeAgentId")
    if agent_id:
        agent = next(
            (a for a in await company_agents(page.session, page.company.id) if str(a.id) == agent_id), None
        )
        if agent is not None:
            return f"Already taken by {agent.name}"
    return exc.message


async def detail_context(page: Page, ref: str) -> dict:
    issue = orjson.loads(await get_issue(page.session, page.actor, ref))
    if issue["companyId"] != str(page.company.id):
        raise BadRequest("This issue belongs to another company")
    comments = await list_comments(
        page.session, page.actor, issue["id"], after=None, order="asc", limit="500"
    )
    runs = await issue_runs(page.session, page.actor, uuid.UUID(issue["id"]), window=Window(200))
    activity = await issue_activity(page.session, page.actor, issue["id"], "50")
    children = orjson.loads(
        await list_issues(
            page.session, page.actor, page.company.id, ListFilters(parent_id=issue["id"], limit="200")
        )
    )
    ctx = await lookups(page)
    names = await Names.load(
        page.session,
        [*activity, *[{"actorType": "agent", "actorId": c.get("authorAgentId")} for c in comments]],
    )
    ctx.update(
        issue=issue,
        comments=comments,
        runs=runs,
        activity=activity,
        children=children,
        names=names,
        mention_names=[a.name for a in ctx["agents"]],
        **await attachments_context(page, issue),
    )
    return ctx


@router.get("/{prefix}/issues/{ref}")
async def issue_page(request: Request, page: CompanyPage, ref: str):
    ctx = await detail_context(page, ref)
    part = request.query_params.get("part")
    if is_fragment(request) and part in ("fields", "comments", "runs", "activity", "children", "attachments"):
        return await render(request, f"issues/_{part}.html", **ctx)
    return await render(request, "issues/detail.html", **ctx)


def _update_body(form: FormData) -> dict:
    """Only the fields the form sent; an empty select means 'none'."""
    data: dict = {}
    simple = {"title": "title", "description": "description", "status": "status", "priority": "priority"}
    for key, field in simple.items():
        if key in form:
            data[field] = form.text(key) if key != "description" else (form.get(key) or "")
    for key, field in (("assignee", "assigneeAgentId"), ("project", "projectId"), ("parent", "parentId")):
        if key in form:
            data[field] = form.text(key) or None
    if "labels" in form or form.get("_labels") == "1":
        data["labelIds"] = [v for v in form.getlist("labels") if v]
    if "blockers" in form or form.get("_blockers") == "1":
        data["blockedByIssueIds"] = [v for v in form.getlist("blockers") if v]
    return data


@router.post("/{prefix}/issues/{ref}", dependencies=WRITE)
async def update(request: Request, page: CompanyPage, ref: str):
    form = await form_data(request)
    body = parse(IssueUpdate, _update_body(form))
    try:
        issue = await update_issue(page.session, page.actor, ref, body, page.now)
    except Conflict as exc:
        raise Conflict(await _taken_message(page, exc)) from None
    if is_fragment(request):
        part = form.get("_part") or "fields"
        if part == "reload":
            return done(request, f"/{page.prefix}/issues/{issue['identifier']}")
        if part == "card":
            ctx = await lookups(page)
            return await render(request, "board/_card.html", i=issue, **ctx)
        if part in ("fields", "children", "title"):
            ctx = await detail_context(page, issue["id"])
            return await render(request, f"issues/_{part}.html", **ctx)
        return await render(request, "_empty.html")
    return redirect(f"/{page.prefix}/issues/{issue['identifier']}")


@router.post("/{prefix}/issues/{ref}/comments", dependencies=WRITE)
async def comment(request: Request, page: CompanyPage, ref: str):
    form = await form_data(request)
    body = (form.get("body") or "").strip()
    if not body:
        raise BadRequest("body: write something first")
    reopen = form.get("reopen") == "on"
    try:
        await add_comment(page.session, page.actor, ref, body, reopen, page.now)
    except Conflict as exc:
        raise Conflict(await _taken_message(page, exc)) from None
    if is_fragment(request):
        ctx = await detail_context(page, ref)
        return await render(request, "issues/_comments.html", **ctx)
    return redirect(f"/{page.prefix}/issues/{ref}#comments")


@router.post("/{prefix}/issues/{ref}/children", dependencies=WRITE)
async def add_child(request: Request, page: CompanyPage, ref: str):
    form = await form_data(request)
    data = issue_fields(form)
    data.pop("parentId", None)
    await create_child(page.session, page.actor, ref, parse(IssueCreate, data), page.now)
    if is_fragment(request):
        ctx = await detail_context(page, ref)
        return await render(request, "issues/_children.html", **ctx)
    return redirect(f"/{page.prefix}/issues/{ref}")


@router.post("/{prefix}/issues/{ref}/blockers", dependencies=WRITE)
async def set_blockers(request: Request, page: CompanyPage, ref: str):
    """Blockers typed as identifiers (`ACM-3, ACM-7`), resolved within the company."""
    form = await form_data(request)
    wanted = [
        w.strip().upper() for w in (form.get("blockers") or "").replace(";", ",").split(",") if w.strip()
    ]
    found: dict[str, str] = {}
    if wanted:
        rows = await queries.ISSUE_IDS_BY_IDENTIFIER.fetch(
            page.session, cid=page.company.id, identifiers=wanted
        )
        found = {r["identifier"]: str(r["id"]) for r in rows}
    missing = [w for w in wanted if w not in found]
    if missing:
        raise BadRequest(f"No issue {', '.join(missing)} in this company")
    body = parse(IssueUpdate, {"blockedByIssueIds": [found[w] for w in wanted]})
    await update_issue(page.session, page.actor, ref, body, page.now)
    if is_fragment(request):
        ctx = await detail_context(page, ref)
        return await render(request, "issues/_fields.html", **ctx)
    return redirect(f"/{page.prefix}/issues/{ref}")

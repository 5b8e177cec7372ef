"""Issue CRUD: list (filters, bounded pages, priority order), create (one counter UPDATE, one INSERT,
one activity row), get (by UUID or identifier, with ancestors/project/goal/blockers), delete, activity.
PATCH lives in `updates.py`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import MAX_LIMIT as ACTIVITY_MAX
from paperclip.activity.service import list_activity, record, to_wire
from paperclip.auth.actor import Actor
from paperclip.db.models import Issue, IssueLabel, Label
from paperclip.errors import BadRequest, Unprocessable
from paperclip.issues import blockers, labels, references
from paperclip.issues.checkout import assert_checkout_owner
from paperclip.issues.creation import insert_issue
from paperclip.issues.detail import load_detail_json
from paperclip.issues.identifiers import find_issue, parse_uuid, require_company_exists
from paperclip.issues.listing import page_as_json
from paperclip.issues.schemas import PRIORITIES, IssueCreate
from paperclip.issues.shapes import issue_to_wire
from paperclip.issues.wakes import Wakes

ISSUES = Issue.__table__
MAX_LIMIT = 1000
PRIORITY_RANK = sa.case({p: i for i, p in enumerate(PRIORITIES)}, value=ISSUES.c.priority, else_=len(PRIORITIES))
TERMINAL = ("done", "cancelled")
ACTIONABLE = ("todo", "in_progress", "in_review", "blocked")


# ---------------------------------------------------------------- list

@dataclass
class ListFilters:
    status: str | None = None
    assignee_agent_id: str | None = None
    assignee_user_id: str | None = None
    project_id: str | None = None
    goal_id: str | None = None
    parent_id: str | None = None
    label_id: str | None = None
    label: str | None = None
    q: str | None = None
    origin_kind: str | None = None
    limit: str | None = None
    offset: str | None = None


def _id_filter(column, raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    if raw == "null":
        return column.is_(None)
    parsed = parse_uuid(raw)
    if parsed is None:
        raise Unprocessable(f"{name} must be a UUID or 'null'")
    return column == parsed


def _page(filters: ListFilters) -> tuple[int, int]:
    limit = MAX_LIMIT
    if filters.limit not in (None, ""):
        if not filters.limit.isdigit() or not 1 <= int(filters.limit) <= MAX_LIMIT:
            raise BadRequest(f"limit must be a positive integer up to {MAX_LIMIT}")
        limit = int(filters.limit)
    offset = 0
    if filters.offset not in (None, ""):
        if not filters.offset.isdigit() or len(filters.offset) > 9:
            raise BadRequest("offset must be a non-negative integer")
        offset = int(filters.offset)
    return limit, offset


async def list_issues(session: AsyncSession, actor: Actor, company_id: uuid.UUID, filters: ListFilters) -> str:
    """The page as JSON text (rendered by PostgreSQL)."""
    actor.require_company(company_id)
    limit, offset = _page(filters)
    where = [ISSUES.c.company_id == company_id, ISSUES.c.hidden_at.is_(None)]
    if filters.status:
        wanted = [s.strip() for s in filters.status.split(",") if s.strip()]
        if wanted:
            where.append(ISSUES.c.status.in_(wanted))
    user = filters.assignee_user_id
    if user:
        if user == "me" and actor.is_board:
            user = actor.user_id
        where.append(ISSUES.c.assignee_user_id.is_(None) if user == "null" else ISSUES.c.assignee_user_id == user)
    for column, raw, name in (
        (ISSUES.c.assignee_agent_id, filters.assignee_agent_id, "assigneeAgentId"),
        (ISSUES.c.project_id, filters.project_id, "projectId"),
        (ISSUES.c.goal_id, filters.goal_id, "goalId"),
        (ISSUES.c.parent_id, filters.parent_id, "parentId"),
    ):
        clause = _id_filter(column, raw, name)
        if clause is not None:
            where.append(clause)
    if filters.label_id:
        label_id = parse_uuid(filters.label_id)
        if label_id is None:
            raise Unprocessable("labelId must be a UUID")
        where.append(sa.exists().where(IssueLabel.issue_id == ISSUES.c.id, IssueLabel.label_id == label_id))
    if filters.label:
        where.append(sa.exists().where(
            IssueLabel.issue_id == ISSUES.c.id, IssueLabel.label_id == Label.id,
            sa.func.lower(Label.name) == filters.label.strip().lower()))
    if filters.origin_kind:
        where.append(ISSUES.c.origin_kind == filters.origin_kind)
    if filters.q and filters.q.strip():
        needle = "%" + filters.q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(sa.or_(ISSUES.c.title.ilike(needle), ISSUES.c.identifier.ilike(needle),
                            ISSUES.c.description.ilike(needle)))
    order = [PRIORITY_RANK, ISSUES.c.updated_at.desc(), ISSUES.c.created_at.desc(), ISSUES.c.id]
    page = await page_as_json(session, ISSUES, where, order, limit, offset, company_id)
    if page == "[]":
        await require_company_exists(session, company_id)
    return page


# ---------------------------------------------------------------- create

async def create_issue(session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: IssueCreate,
                       now: datetime, *, parent: RowMapping | None = None) -> dict[str, Any]:
    actor.require_company(company_id)
    if body.assigneeAgentId and body.assigneeUserId:
        raise Unprocessable("Issue can only have one assignee")
    status = body.status or ("todo" if (body.assigneeAgentId or body.assigneeUserId) else "backlog")
    if status == "in_progress" and not (body.assigneeAgentId or body.assigneeUserId):
        raise Unprocessable("in_progress issues require an assignee")
    if status == "in_progress" and actor.is_agent:
        raise Unprocessable("Agents must check out an issue to start it (POST /api/issues/{id}/checkout)")
    if body.assigneeAgentId:
        await references.check_agent_assignee(session, company_id, body.assigneeAgentId)
    if body.assigneeUserId:
        await references.check_user_assignee(session, actor, company_id, body.assigneeUserId)
    parent_id = body.parentId
    goal_id = body.goalId
    if parent is not None:
        parent_id = parent["id"]
        goal_id = goal_id or parent["goal_id"]
    elif parent_id:
        await references.check_parent(session, company_id, parent_id)
    project_id = body.projectId or (parent["project_id"] if parent is not None else None)
    if body.projectId:
        project_goal = await references.check_project(session, company_id, body.projectId)
        goal_id = goal_id or project_goal
    if body.goalId:
        await references.check_goal(session, company_id, body.goalId)
    label_ids = await references.check_labels(session, company_id, body.labelIds or [])
    blocker_ids = await blockers.validate_blockers(session, company_id, None, body.blockedByIssueIds or [])

    row = await insert_issue(session, actor, dict(
        company_id=company_id, project_id=project_id, goal_id=goal_id, parent_id=parent_id,
        title=body.title, description=body.description, status=status, priority=body.priority or "medium",
        assignee_agent_id=body.assigneeAgentId, assignee_user_id=body.assigneeUserId, billing_code=body.billingCode,
        request_depth=body.requestDepth if body.requestDepth is not None else (
            min(parent["request_depth"] + 1, 1024) if parent is not None else 0),
        started_at=now if status == "in_progress" else None, completed_at=now if status == "done" else None,
        cancelled_at=now if status == "cancelled" else None,
    ), now)
    await labels.attach_labels(session, company_id, row["id"], label_ids, now)
    await blockers.insert_blockers(session, actor, company_id, row["id"], blocker_ids, now)
    if body.assigneeAgentId and status != "backlog":
        await Wakes(actor, company_id, now).assigned(session, row["id"], body.assigneeAgentId, "create")
    attached = (await labels.labels_for(session, [row["id"]])).get(row["id"]) if label_ids else None
    wire = issue_to_wire(row, attached)
    wire["blockedByIssueIds"] = [str(b) for b in blocker_ids]
    return wire


async def create_child(session: AsyncSession, actor: Actor, ref: str, body: IssueCreate, now: datetime) -> dict:
    parent = await find_issue(session, ref)
    actor.require_company(parent["company_id"])
    return await create_issue(session, actor, parent["company_id"], body, now, parent=parent)


# ---------------------------------------------------------------- get

async def get_issue(session: AsyncSession, actor: Actor, ref: str) -> str:
    """The detail view as JSON text (rendered by PostgreSQL)."""
    company_id, wire = await load_detail_json(session, ref)
    actor.require_company(company_id)
    return wire


# ---------------------------------------------------------------- delete, activity

async def delete_issue(session: AsyncSession, actor: Actor, ref: str, now: datetime) -> dict[str, Any]:
    issue = await find_issue(session, ref, for_update=True)
    actor.require_company(issue["company_id"])
    await assert_checkout_owner(session, actor, issue, now)
    attached = (await labels.labels_for(session, [issue["id"]])).get(issue["id"])
    await session.execute(sa.delete(ISSUES).where(ISSUES.c.id == issue["id"]))
    await record(session, actor, company_id=issue["company_id"], action="issue.deleted", entity_type="issue",
                 entity_id=issue["id"], details={"identifier": issue["identifier"], "title": issue["title"]})
    return issue_to_wire(issue, attached)


async def issue_activity(session: AsyncSession, actor: Actor, ref: str, limit: str | None = None) -> list[dict]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    count = ACTIVITY_MAX
    if limit not in (None, ""):
        if not limit.isdigit() or not 1 <= int(limit) <= ACTIVITY_MAX:
            raise BadRequest(f"limit must be a positive integer up to {ACTIVITY_MAX}")
        count = int(limit)
    rows = await list_activity(session, issue["company_id"], entity_type="issue", entity_id=issue["id"], limit=count)
    return [to_wire(r) for r in rows]

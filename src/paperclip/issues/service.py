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
from paperclip.auth.memberships import require_member_grant
from paperclip.db.models import Issue
from paperclip.errors import BadRequest, Unprocessable
from paperclip.issues import blockers, inbox, labels, references
from paperclip.issues.checkout import assert_checkout_owner
from paperclip.issues.creation import insert_issue
from paperclip.issues.detail import load_detail_json
from paperclip.issues.identifiers import find_issue, parse_uuid, require_company_exists
from paperclip.issues.listing import page_as_json
from paperclip.issues.schemas import PRIORITIES, IssueCreate
from paperclip.issues.shapes import issue_to_wire
from paperclip.issues.wakes import Wakes
from paperclip.storage.cleanup import forget_issue_objects

ISSUES = Issue.__table__
MAX_LIMIT = 1000
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
    participant_agent_id: str | None = None
    descendant_of: str | None = None
    created_from_issue_id: str | None = None
    touched_by_user_id: str | None = None
    unread_for_user_id: str | None = None
    inbox_archived_by_user_id: str | None = None
    limit: str | None = None
    offset: str | None = None
    sort_field: str | None = None
    sort_dir: str | None = None
    include_blocked_by: str | None = None
    include_routine_executions: str | None = None
    include_live_descendant_summary: str | None = None
    view: str | None = None


def _id_filter(where: list[str], params: dict[str, Any], column: str, raw: str | None, name: str) -> None:
    if raw is None or raw == "":
        return
    if raw == "null":
        where.append(f"x.{column} IS NULL")
        return
    parsed = parse_uuid(raw)
    if parsed is None:
        raise Unprocessable(f"{name} must be a UUID or 'null'")
    where.append(f"x.{column} = CAST(:{column} AS uuid)")
    params[column] = parsed


def _uuid_param(raw: str, name: str) -> uuid.UUID:
    parsed = parse_uuid(raw)
    if parsed is None:
        raise Unprocessable(f"{name} must be a UUID")
    return parsed


def _relation_filters(where: list[str], params: dict[str, Any], filters: ListFilters) -> None:
    """The original's relational filters: the issues an agent took part in (assigned, created or commented),
    the whole subtree under an issue, and the issues created from an issue."""
    if filters.participant_agent_id:
        params["participant"] = _uuid_param(filters.participant_agent_id, "participantAgentId")
        where.append(
            "(x.assignee_agent_id = CAST(:participant AS uuid) OR x.created_by_agent_id = CAST(:participant AS uuid) "
            "OR EXISTS (SELECT 1 FROM issue_comments pc WHERE pc.issue_id = x.id "
            "AND pc.author_agent_id = CAST(:participant AS uuid)))"
        )
    if filters.descendant_of:
        params["ancestor"] = _uuid_param(filters.descendant_of, "descendantOf")
        where.append(
            "x.id IN (WITH RECURSIVE tree AS (SELECT d.id FROM issues d WHERE d.parent_id = CAST(:ancestor AS uuid) "
            "UNION SELECT c.id FROM issues c JOIN tree ON c.parent_id = tree.id) SELECT id FROM tree)"
        )
    if filters.created_from_issue_id:
        _uuid_param(filters.created_from_issue_id, "createdFromIssueId")
        where.append(
            "FALSE"
        )  # no issue here records being created from another (the original's follow-up link)


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


PAGE_ORDER = (
    "CASE x.priority "
    + " ".join(f"WHEN '{p}' THEN {i}" for i, p in enumerate(PRIORITIES))
    + f" ELSE {len(PRIORITIES)} END, x.updated_at DESC, x.created_at DESC, x.id"
)


# The original's sortField values: its default direction and the ORDER BY per direction.
_SORTS = {
    "updated": ("desc", {"desc": "x.updated_at DESC, x.id DESC", "asc": "x.updated_at ASC, x.id ASC"}),
    "id": ("asc", {"desc": "x.id DESC", "asc": "x.id ASC"}),
}


def _presentation(filters: ListFilters) -> tuple[str, tuple[str, ...], bool]:
    """ORDER BY, per-row extras and compactness from the original's display parameters (its messages).
    sortDir alone changes nothing there (the priority order has no direction), nor does
    includeRoutineExecutions (routine-execution issues are listed either way) — measured."""
    if filters.sort_dir not in (None, "", "asc", "desc"):
        raise BadRequest("sortDir must be 'asc' or 'desc' when provided")
    order = PAGE_ORDER
    if filters.sort_field not in (None, ""):
        if filters.sort_field not in _SORTS:
            raise BadRequest("sortField must be 'updated' or 'id' when provided")
        default_dir, orders = _SORTS[filters.sort_field]
        order = orders[filters.sort_dir or default_dir]
    if filters.view not in (None, "", "compact"):
        raise BadRequest("view must be 'compact' when provided")
    if filters.include_live_descendant_summary not in (None, "true", "false", "1", "0"):
        raise BadRequest("includeLiveDescendantSummary must be true or false when provided")
    extras = []
    if filters.include_blocked_by in ("true", "1"):  # the original treats any other value as false
        extras.append("blockedBy")
    if filters.include_live_descendant_summary in ("true", "1"):
        extras.append("liveDescendantCount")
    return order, tuple(extras), filters.view == "compact"


async def list_issues(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, filters: ListFilters
) -> str:
    """The page as JSON text (rendered by PostgreSQL)."""
    actor.require_company(company_id)
    limit, offset = _page(filters)
    order, extras, compact = _presentation(filters)
    where = ["x.company_id = :company_id", "x.hidden_at IS NULL"]
    params: dict[str, Any] = {"company_id": company_id, "limit": limit, "offset": offset}
    if filters.status:
        wanted = [s.strip() for s in filters.status.split(",") if s.strip()]
        if wanted:
            where.append("x.status = ANY(CAST(:statuses AS text[]))")
            params["statuses"] = wanted
    user = filters.assignee_user_id
    if user:
        if user == "me" and actor.is_board:
            user = actor.user_id
        if user == "null":
            where.append("x.assignee_user_id IS NULL")
        else:
            where.append("x.assignee_user_id = CAST(:assignee_user_id AS text)")
            params["assignee_user_id"] = user
    for column, raw, name in (
        ("assignee_agent_id", filters.assignee_agent_id, "assigneeAgentId"),
        ("project_id", filters.project_id, "projectId"),
        ("goal_id", filters.goal_id, "goalId"),
        ("parent_id", filters.parent_id, "parentId"),
    ):
        _id_filter(where, params, column, raw, name)
    if filters.label_id:
        label_id = parse_uuid(filters.label_id)
        if label_id is None:
            raise Unprocessable("labelId must be a UUID")
        where.append(
            "EXISTS (SELECT 1 FROM issue_labels fl WHERE fl.issue_id = x.id "
            "AND fl.label_id = CAST(:label_id AS uuid))"
        )
        params["label_id"] = label_id
    if filters.label:
        where.append(
            "EXISTS (SELECT 1 FROM issue_labels fl JOIN labels fn ON fn.id = fl.label_id "
            "WHERE fl.issue_id = x.id AND lower(fn.name) = CAST(:label_name AS text))"
        )
        params["label_name"] = filters.label.strip().lower()
    _relation_filters(where, params, filters)
    inbox.user_filters(
        actor,
        where,
        params,
        touched=filters.touched_by_user_id,
        unread=filters.unread_for_user_id,
        archived=filters.inbox_archived_by_user_id,
    )
    if filters.origin_kind:
        where.append("x.origin_kind = CAST(:origin_kind AS text)")
        params["origin_kind"] = filters.origin_kind
    if filters.q and filters.q.strip():
        needle = "%" + filters.q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(x.title ILIKE CAST(:needle AS text) OR x.identifier ILIKE CAST(:needle AS text) "
            "OR x.description ILIKE CAST(:needle AS text))"
        )
        params["needle"] = needle
    page = await page_as_json(session, tuple(where), order, params, extras, compact)
    if page == "[]":
        await require_company_exists(session, company_id)
    return page


# ---------------------------------------------------------------- create


async def create_issue(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: IssueCreate,
    now: datetime,
    *,
    parent: RowMapping | None = None,
    wake: bool = True,  # False: the assignee is not woken (children of an accepted plan)
) -> dict[str, Any]:
    actor.require_company(company_id)
    if body.assigneeAgentId and body.assigneeUserId:
        raise Unprocessable("Issue can only have one assignee")
    status = body.status or ("todo" if (body.assigneeAgentId or body.assigneeUserId) else "backlog")
    if status == "in_progress" and not (body.assigneeAgentId or body.assigneeUserId):
        raise Unprocessable("in_progress issues require an assignee")
    if status == "in_progress" and actor.is_agent:
        raise Unprocessable("Agents must check out an issue to start it (POST /api/issues/{id}/checkout)")
    if body.assigneeAgentId or (body.assigneeUserId and body.assigneeUserId != actor.user_id):
        await require_member_grant(
            session, actor, company_id, "tasks:assign"
        )  # members without a manager role
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

    row = await insert_issue(
        session,
        actor,
        dict(
            company_id=company_id,
            project_id=project_id,
            goal_id=goal_id,
            parent_id=parent_id,
            title=body.title,
            description=body.description,
            status=status,
            priority=body.priority or "medium",
            assignee_agent_id=body.assigneeAgentId,
            assignee_user_id=body.assigneeUserId,
            billing_code=body.billingCode,
            request_depth=body.requestDepth
            if body.requestDepth is not None
            else (min(parent["request_depth"] + 1, 1024) if parent is not None else 0),
            started_at=now if status == "in_progress" else None,
            completed_at=now if status == "done" else None,
            cancelled_at=now if status == "cancelled" else None,
        ),
        now,
    )
    await labels.attach_labels(session, company_id, row["id"], label_ids, now)
    await blockers.insert_blockers(session, actor, company_id, row["id"], blocker_ids, now)
    if wake and body.assigneeAgentId and status != "backlog":
        await Wakes(actor, company_id, now).assigned(session, row["id"], body.assigneeAgentId, "create")
    attached = (await labels.labels_for(session, [row["id"]])).get(row["id"]) if label_ids else None
    wire = issue_to_wire(row, attached)
    wire["blockedByIssueIds"] = [str(b) for b in blocker_ids]
    return wire


async def create_child(
    session: AsyncSession, actor: Actor, ref: str, body: IssueCreate, now: datetime
) -> dict:
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
    await forget_issue_objects(session, issue["id"])  # its attachments' objects are queued for removal
    await session.execute(sa.delete(ISSUES).where(ISSUES.c.id == issue["id"]))
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.deleted",
        entity_type="issue",
        entity_id=issue["id"],
        details={"identifier": issue["identifier"], "title": issue["title"]},
    )
    return issue_to_wire(issue, attached)


async def issue_activity(
    session: AsyncSession, actor: Actor, ref: str, limit: str | None = None
) -> list[dict]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    count = ACTIVITY_MAX
    if limit not in (None, ""):
        if not limit.isdigit() or not 1 <= int(limit) <= ACTIVITY_MAX:
            raise BadRequest(f"limit must be a positive integer up to {ACTIVITY_MAX}")
        count = int(limit)
    rows = await list_activity(
        session, issue["company_id"], entity_type="issue", entity_id=issue["id"], limit=count
    )
    return [to_wire(r) for r in rows]

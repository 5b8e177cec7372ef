"""PATCH /issues/{id}: fields, assignee (agent XOR user), status machine, parent (no cycles), project,
goal, labels, blockers and an optional comment, in one transaction; then the wake-ups it causes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.auth.memberships import require_member_grant
from paperclip.db.models import Issue
from paperclip.errors import BadRequest, Unprocessable
from paperclip.issues import blockers, labels, references
from paperclip.issues.checkout import assert_checkout_owner
from paperclip.issues.comments import insert_comment
from paperclip.issues.detail import detail_to_wire, load_detail
from paperclip.issues.identifiers import find_issue
from paperclip.issues.schemas import IssueUpdate
from paperclip.issues.shapes import comment_to_wire
from paperclip.issues.status import check_transition, status_effects
from paperclip.issues.wakes import Wakes
from paperclip.vocabulary import ISSUE_TERMINAL
from paperclip.wire import iso

ISSUES = Issue.__table__
ACTIONABLE = ("todo", "in_progress", "in_review", "blocked")


_SIMPLE = {
    "title": "title",
    "description": "description",
    "priority": "priority",
    "billingCode": "billing_code",
    "requestDepth": "request_depth",
}
_NOT_NULL = ("title", "status", "priority", "requestDepth")


def _wire_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list):
        return [_wire_value(v) for v in value]
    return value


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(p.title() for p in rest)


async def update_issue(
    session: AsyncSession, actor: Actor, ref: str, body: IssueUpdate, now: datetime
) -> dict:
    sent = body.model_fields_set
    nulls = [f for f in _NOT_NULL if f in sent and getattr(body, f) is None]
    if nulls:
        raise BadRequest(
            "Validation error",
            details=[
                {"path": [f], "field": f, "message": "must not be null", "code": "invalid_type"}
                for f in nulls
            ],
        )
    issue = await find_issue(session, ref, for_update=True)
    company_id = issue["company_id"]
    actor.require_company(company_id)
    await assert_checkout_owner(session, actor, issue, now)

    values: dict[str, Any] = {}
    for field, column in _SIMPLE.items():
        if field in sent and getattr(body, field) != issue[column]:
            values[column] = getattr(body, field)

    # Assignee: an agent XOR a user; naming one clears the other.
    agent_sent, user_sent = "assigneeAgentId" in sent, "assigneeUserId" in sent
    if agent_sent and user_sent and body.assigneeAgentId and body.assigneeUserId:
        raise Unprocessable("Issue can only have one assignee")
    new_agent, new_user = issue["assignee_agent_id"], issue["assignee_user_id"]
    if agent_sent:
        new_agent = body.assigneeAgentId
        if new_agent is not None:
            new_user = None if not user_sent else body.assigneeUserId
    if user_sent:
        new_user = body.assigneeUserId
        if new_user is not None:
            new_agent = None if not agent_sent else body.assigneeAgentId
    if (new_agent is not None and new_agent != issue["assignee_agent_id"]) or (
        new_user is not None and new_user != issue["assignee_user_id"] and new_user != actor.user_id
    ):
        await require_member_grant(
            session, actor, company_id, "tasks:assign"
        )  # members without a manager role
    if new_agent is not None and new_agent != issue["assignee_agent_id"]:
        await references.check_agent_assignee(session, company_id, new_agent)
    if new_user is not None and new_user != issue["assignee_user_id"]:
        await references.check_user_assignee(session, actor, company_id, new_user)
    if new_agent != issue["assignee_agent_id"]:
        values["assignee_agent_id"] = new_agent
        # The previous owner's checkout does not carry over to someone else.
        values.update(
            checkout_run_id=None,
            execution_run_id=None,
            execution_locked_at=None,
            execution_agent_name_key=None,
        )
    if new_user != issue["assignee_user_id"]:
        values["assignee_user_id"] = new_user

    status = issue["status"]
    if "status" in sent and body.status != status:
        check_transition(actor, status, body.status)
        values.update(status_effects(status, body.status, now))
        status = body.status
    if status == "in_progress" and new_agent is None and new_user is None:
        raise Unprocessable("in_progress issues require an assignee")

    if "parentId" in sent and body.parentId != issue["parent_id"]:
        if body.parentId is not None:
            await references.check_parent(session, company_id, body.parentId, issue["id"])
        values["parent_id"] = body.parentId
    if "projectId" in sent and body.projectId != issue["project_id"]:
        if body.projectId is not None:
            project_goal = await references.check_project(session, company_id, body.projectId)
            if "goalId" not in sent and issue["goal_id"] is None and project_goal is not None:
                values["goal_id"] = project_goal
        values["project_id"] = body.projectId
    if "goalId" in sent and body.goalId != issue["goal_id"]:
        if body.goalId is not None:
            await references.check_goal(session, company_id, body.goalId)
        values["goal_id"] = body.goalId

    changes: dict[str, Any] = {}
    previous: dict[str, Any] = {}
    for column, value in values.items():
        if issue[column] != value:
            key = _camel(column)
            changes[key] = {"from": _wire_value(issue[column]), "to": _wire_value(value)}
            previous[key] = _wire_value(issue[column])

    if body.labelIds is not None:
        wanted = await references.check_labels(session, company_id, body.labelIds)
        before = [lbl["id"] for lbl in (await labels.labels_for(session, [issue["id"]])).get(issue["id"], [])]
        if sorted(before) != sorted(str(w) for w in wanted):
            await labels.replace_labels(session, company_id, issue["id"], wanted, now)
            changes["labelIds"] = {"from": before, "to": [str(w) for w in wanted]}
    if body.blockedByIssueIds is not None:
        wanted = await blockers.validate_blockers(session, company_id, issue["id"], body.blockedByIssueIds)
        before = [str(b) for b in await blockers.blocker_ids(session, issue["id"])]
        if sorted(before) != sorted(str(w) for w in wanted):
            await blockers.replace_blockers(session, actor, company_id, issue["id"], wanted, now)
            changes["blockedByIssueIds"] = {"from": before, "to": [str(w) for w in wanted]}

    row = issue
    if values or changes:
        values["updated_at"] = now
        row = (
            (
                await session.execute(
                    sa.update(ISSUES).where(ISSUES.c.id == issue["id"]).values(**values).returning(ISSUES)
                )
            )
            .mappings()
            .one()
        )
    if changes:
        details = {k: v["to"] for k, v in changes.items()}
        details.update(changes=changes, _previous=previous, identifier=row["identifier"])
        if body.comment is not None:
            details["source"] = "comment"
        await record(
            session,
            actor,
            company_id=company_id,
            action="issue.updated",
            entity_type="issue",
            entity_id=issue["id"],
            details=details,
        )

    wakes = Wakes(actor, company_id, now)
    if "assignee_agent_id" in values and row["assignee_agent_id"] is not None and row["status"] != "backlog":
        await wakes.assigned(session, row["id"], row["assignee_agent_id"], "update")
    elif (
        issue["status"] == "backlog"
        and row["status"] in ACTIONABLE
        and row["assignee_agent_id"] is not None
        and row["assignee_agent_id"] != actor.agent_id
    ):
        await wakes.status_changed(session, row["id"], row["assignee_agent_id"], row["status"])
    comment = None
    if body.comment is not None:
        comment = await insert_comment(
            session,
            actor,
            row,
            body.comment,
            now,
            wakes,
            assignee=row["assignee_agent_id"],
            extra={"updated": bool(changes)},
        )
    if "status" in values and row["status"] in ISSUE_TERMINAL:
        await wakes.became_terminal(session, row["id"], row["status"], row["parent_id"])

    wire = await detail_to_wire(session, await load_detail(session, row["id"]))
    wire["changes"] = changes
    wire["comment"] = comment_to_wire(comment) if comment is not None else None
    return wire

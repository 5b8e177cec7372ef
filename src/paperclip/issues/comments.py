"""Issue comments: list (after/order/limit), add (wakes the assignee and @-mentioned agents), get, delete."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import ACTOR_IDS, ACTOR_VALUES, INSERT_ACTIVITY, actor_params, record
from paperclip.auth.actor import Actor
from paperclip.db.models import Issue, IssueComment
from paperclip.db.rawsql import Sql
from paperclip.db.tree_holds import ISSUE_PAUSE_HOLD, held_by
from paperclip.errors import BadRequest, Conflict, Forbidden, NotFound
from paperclip.issues.identifiers import (
    IDENTIFIER_RE,
    accessible_companies,
    find_issue,
    parse_uuid,
    require_uuid,
)
from paperclip.issues.interaction_supersede import supersede_on_comment
from paperclip.issues.mentions import UNREACHABLE, find_mentioned_agents, mentioned_names
from paperclip.issues.shapes import comment_to_wire
from paperclip.issues.wakes import Wakes
from paperclip.redaction import redact_text
from paperclip.storage.cleanup import forget_unreferenced_images
from paperclip.vocabulary import ISSUE_TERMINAL

ISSUES = Issue.__table__
COMMENTS = IssueComment.__table__
MAX_LIMIT = 1000
SNIPPET = 240


async def insert_comment(
    session: AsyncSession,
    actor: Actor,
    issue: Mapping[str, Any],
    body: str,
    now: datetime,
    wakes: Wakes,
    *,
    assignee: uuid.UUID | None,
    extra: dict | None = None,
) -> RowMapping:
    """Store a comment, log it, and queue the wake-ups it causes (assignee, then mentioned agents)."""
    row = (
        (
            await session.execute(
                sa.insert(COMMENTS)
                .values(
                    company_id=issue["company_id"],
                    issue_id=issue["id"],
                    author_agent_id=actor.agent_id,
                    author_user_id=actor.user_id if actor.is_board else None,
                    created_by_run_id=actor.run_id if actor.is_agent else None,
                    body=body,
                    created_at=now,
                    updated_at=now,
                )
                .returning(COMMENTS)
            )
        )
        .mappings()
        .one()
    )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.comment_added",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "commentId": str(row["id"]),
            "identifier": issue["identifier"],
            "issueTitle": issue["title"],
            "bodySnippet": body[:SNIPPET],
            **(extra or {}),
        },
    )
    await supersede_on_comment(session, actor, issue["company_id"], issue["id"], row["id"], now)
    mentioned = await find_mentioned_agents(session, issue["company_id"], body)
    await wakes.commented(session, issue["id"], assignee, row["id"], mentioned)
    return row


def raise_paused(issue_id: Any, hold_id: Any, root_issue_id: Any) -> None:
    """A comment on a paused subtree would wake its agents: refused until the tree is resumed."""
    raise Conflict(
        "Task is paused. Resume it before sending a message.",
        details={"issueId": str(issue_id), "holdId": str(hold_id), "rootIssueId": str(root_issue_id)},
    )


def _add_comment_sql(where: str) -> Sql:
    """ONE statement: find the issue, store the comment (only when the actor may access the company),
    log it, and list the company's reachable agents when the body may @-mention one."""
    return Sql(f"""
WITH i AS MATERIALIZED (
    SELECT id, parent_id, company_id, identifier, title, assignee_agent_id FROM issues WHERE {where}
), held AS MATERIALIZED ({held_by("i")}
), c AS (
    INSERT INTO issue_comments (company_id, issue_id, author_agent_id, author_user_id, created_by_run_id, body,
                                created_at, updated_at)
    SELECT i.company_id, i.id, CAST(:actor_agent_id AS uuid), CAST(:author_user_id AS text),
           CAST(:created_by_run_id AS uuid), CAST(:body AS text), CAST(:now AS timestamptz), CAST(:now AS timestamptz)
    FROM i WHERE (CAST(:companies AS uuid[]) IS NULL OR i.company_id = ANY(CAST(:companies AS uuid[])))
      AND NOT EXISTS (SELECT 1 FROM held)
    RETURNING *
), act AS (
    {INSERT_ACTIVITY}
    SELECT c.company_id, {ACTOR_VALUES}, 'issue.comment_added', 'issue', CAST(c.issue_id AS text), {ACTOR_IDS},
           jsonb_build_object('commentId', CAST(c.id AS text), 'identifier', i.identifier, 'issueTitle', i.title,
                              'bodySnippet', CAST(:snippet AS text)),
           clock_timestamp()
    FROM c JOIN i ON i.id = c.issue_id
    RETURNING id
)
SELECT i.id AS i_id, i.company_id AS i_company_id, i.title AS i_title, i.assignee_agent_id AS i_assignee_agent_id,
       c.*, (SELECT act.id FROM act) AS activity_id,
       (SELECT held.hold_id FROM held) AS held_hold_id, (SELECT held.hold_root_issue_id FROM held) AS held_root_id,
       CASE WHEN CAST(:has_at AS boolean) AND c.id IS NOT NULL THEN
           (SELECT json_agg(json_build_array(a.id, a.name)) FROM agents a
             WHERE a.company_id = i.company_id AND a.status NOT IN ({", ".join(f"'{u}'" for u in UNREACHABLE)}))
       END AS agents
FROM i LEFT JOIN c ON true
""")


ADD_BY_ID = _add_comment_sql("id = CAST(:id AS uuid)")
ADD_BY_IDENTIFIER = _add_comment_sql("identifier = CAST(:identifier AS text)")


async def add_comment(
    session: AsyncSession, actor: Actor, ref: str, body: str, reopen: bool | None, now: datetime
) -> dict[str, Any]:
    if reopen:
        return await _add_comment_reopening(session, actor, ref, body, now)
    parsed = parse_uuid(ref)
    if parsed is not None:
        query, params = ADD_BY_ID, {"id": parsed}
    elif IDENTIFIER_RE.match(ref):
        query, params = ADD_BY_IDENTIFIER, {"identifier": ref.upper()}
    else:
        raise NotFound("Issue not found")
    params.update(
        actor_params(actor),
        author_user_id=actor.user_id if actor.is_board else None,
        created_by_run_id=actor.run_id if actor.is_agent else None,
        body=body,
        now=now,
        snippet=redact_text(body[:SNIPPET]),
        companies=accessible_companies(actor),
        has_at="@" in body,
    )
    row = await query.fetchrow(session, **params)
    if row is None:
        raise NotFound("Issue not found")
    actor.require_company(row["i_company_id"])
    if row["held_hold_id"] is not None:
        raise_paused(row["i_id"], row["held_hold_id"], row["held_root_id"])
    title = row["i_title"]
    if redact_text(title) != title:  # the logged title is redacted like every activity detail
        await session.execute(
            sa.text(
                "UPDATE activity_log SET details = jsonb_set(details, '{issueTitle}', to_jsonb(CAST(:title AS text))) "
                "WHERE id = :id"
            ),
            {"title": redact_text(title), "id": row["activity_id"]},
        )
    await supersede_on_comment(session, actor, row["i_company_id"], row["i_id"], row["id"], now)
    mentioned = mentioned_names(body, {uuid.UUID(a): name for a, name in row["agents"] or ()})
    await Wakes(actor, row["i_company_id"], now).commented(
        session, row["i_id"], row["i_assignee_agent_id"], row["id"], mentioned
    )
    return comment_to_wire(row)


async def _add_comment_reopening(
    session: AsyncSession, actor: Actor, ref: str, body: str, now: datetime
) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    held = await ISSUE_PAUSE_HOLD.fetchrow(session, issue["id"])
    if held is not None:
        raise_paused(issue["id"], held["hold_id"], held["hold_root_issue_id"])
    if issue["status"] in ISSUE_TERMINAL:
        issue = (
            (
                await session.execute(
                    sa.update(ISSUES)
                    .where(ISSUES.c.id == issue["id"])
                    .values(status="todo", completed_at=None, cancelled_at=None, updated_at=now)
                    .returning(ISSUES)
                )
            )
            .mappings()
            .one()
        )
        await record(
            session,
            actor,
            company_id=issue["company_id"],
            action="issue.updated",
            entity_type="issue",
            entity_id=issue["id"],
            details={
                "status": "todo",
                "source": "comment",
                "reopened": True,
                "identifier": issue["identifier"],
            },
        )
    wakes = Wakes(actor, issue["company_id"], now)
    row = await insert_comment(session, actor, issue, body, now, wakes, assignee=issue["assignee_agent_id"])
    return comment_to_wire(row)


def _parse_limit(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a positive integer up to {MAX_LIMIT}")
    return int(raw)


async def list_comments(
    session: AsyncSession, actor: Actor, ref: str, *, after: str | None, order: str | None, limit: str | None
) -> list[dict[str, Any]]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    ascending = (order or "desc").lower() == "asc"
    count = _parse_limit(limit)
    query = sa.select(COMMENTS).where(COMMENTS.c.issue_id == issue["id"])
    if after:
        anchor_id = parse_uuid(after)
        anchor = None
        if anchor_id is not None:
            anchor = (
                await session.execute(
                    sa.select(COMMENTS.c.created_at, COMMENTS.c.id).where(
                        COMMENTS.c.id == anchor_id, COMMENTS.c.issue_id == issue["id"]
                    )
                )
            ).first()
        if anchor is None:
            return []
        key = sa.tuple_(COMMENTS.c.created_at, COMMENTS.c.id)
        query = query.where(key > sa.tuple_(sa.literal(anchor.created_at), sa.literal(anchor.id)))
    if ascending:
        query = query.order_by(COMMENTS.c.created_at, COMMENTS.c.id)
    else:
        query = query.order_by(COMMENTS.c.created_at.desc(), COMMENTS.c.id.desc())
    query = query.limit(count or MAX_LIMIT)
    return [comment_to_wire(r) for r in (await session.execute(query)).mappings()]


async def _comment(
    session: AsyncSession, actor: Actor, ref: str, comment_ref: str
) -> tuple[RowMapping, RowMapping]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    comment_id = require_uuid(comment_ref, "Comment not found")
    row = (
        (
            await session.execute(
                sa.select(COMMENTS).where(COMMENTS.c.id == comment_id, COMMENTS.c.issue_id == issue["id"])
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("Comment not found")
    return issue, row


async def get_comment(session: AsyncSession, actor: Actor, ref: str, comment_ref: str) -> dict[str, Any]:
    _issue, row = await _comment(session, actor, ref, comment_ref)
    return comment_to_wire(row)


async def delete_comment(session: AsyncSession, actor: Actor, ref: str, comment_ref: str) -> dict[str, Any]:
    issue, row = await _comment(session, actor, ref, comment_ref)
    own = (
        (row["author_agent_id"] == actor.agent_id)
        if actor.is_agent
        else (row["author_agent_id"] is None and row["author_user_id"] == actor.user_id)
    )
    if not own:
        raise Forbidden("Only the comment author can delete comments")
    await session.execute(sa.delete(COMMENTS).where(COMMENTS.c.id == row["id"]))
    # images only this comment showed: their assets go, their objects are queued (storage/cleanup.py)
    await forget_unreferenced_images(
        session, issue["company_id"], [row["body"]], f"comment {row['id']} deleted"
    )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.comment_deleted",
        entity_type="issue",
        entity_id=issue["id"],
        details={"commentId": str(row["id"]), "identifier": issue["identifier"]},
    )
    return comment_to_wire(row)

"""A board user's inbox state on issues (paperclip-core.md §2.7): read marks and inbox archives, the
issue-list filters built on them (`touchedByUserId`, `unreadForUserId`, `inboxArchivedByUserId`) and
the agent-facing view of a user's inbox (`GET /agents/me/inbox/mine`).

"Touched by U": U created it, is its assignee, commented on it or read it. U's last touch is the
latest of those; an issue is unread for U when someone else commented after it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import IssueInboxArchive, IssueReadState
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Forbidden, Unauthorized, Unprocessable
from paperclip.issues import queries
from paperclip.issues.identifiers import find_issue
from paperclip.wire import iso, uid

READS = cast(sa.Table, IssueReadState.__table__)
ARCHIVES = cast(sa.Table, IssueInboxArchive.__table__)


def _require_board_user(actor: Actor) -> str:
    actor.require_authenticated()
    if not actor.is_board or not actor.user_id:
        raise Forbidden("Board authentication required")
    return actor.user_id


def read_to_wire(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "issueId": str(row["issue_id"]),
        "userId": row["user_id"],
        "lastReadAt": iso(row["last_read_at"]),
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


def archive_to_wire(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "issueId": str(row["issue_id"]),
        "userId": row["user_id"],
        "archivedByActorType": row["archived_by_actor_type"],
        "archivedByAgentId": uid(row["archived_by_agent_id"]),
        "archivedByRunId": uid(row["archived_by_run_id"]),
        "archivedAt": iso(row["archived_at"]),
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


async def mark_read(session: AsyncSession, actor: Actor, ref: str, now: datetime) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    user_id = _require_board_user(actor)
    statement = insert(READS).values(
        company_id=issue["company_id"],
        issue_id=issue["id"],
        user_id=user_id,
        last_read_at=now,
        created_at=now,
        updated_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[READS.c.issue_id, READS.c.user_id], set_={"last_read_at": now, "updated_at": now}
    )
    row = (await session.execute(statement.returning(READS))).mappings().one()
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.read_marked",
        entity_type="issue",
        entity_id=issue["id"],
        details={"userId": user_id, "lastReadAt": iso(now)},
    )
    return read_to_wire(row)


async def mark_unread(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    user_id = _require_board_user(actor)
    removed = (
        await session.execute(
            sa.delete(READS)
            .where(READS.c.issue_id == issue["id"], READS.c.user_id == user_id)
            .returning(READS.c.id)
        )
    ).first()
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.read_unmarked",
        entity_type="issue",
        entity_id=issue["id"],
        details={"userId": user_id},
    )
    return {"id": str(issue["id"]), "removed": removed is not None}


def _archive_target(actor: Actor, issue: Any) -> str:
    """Whose inbox: a board user's own; an agent archives for the issue's responsible user (here the
    board user who created it, else its assigned user)."""
    if actor.is_board:
        return _require_board_user(actor)
    target = issue["created_by_user_id"] or issue["assignee_user_id"]
    if not target:
        raise Unprocessable("Issue has no responsible board user whose inbox to change")
    return target


async def archive(session: AsyncSession, actor: Actor, ref: str, now: datetime) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    user_id = _archive_target(actor, issue)
    by = {
        "archived_by_actor_type": "agent" if actor.is_agent else "user",
        "archived_by_agent_id": actor.agent_id if actor.is_agent else None,
        "archived_by_run_id": actor.run_id if actor.is_agent else None,
    }
    statement = insert(ARCHIVES).values(
        company_id=issue["company_id"],
        issue_id=issue["id"],
        user_id=user_id,
        archived_at=now,
        created_at=now,
        updated_at=now,
        **by,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[ARCHIVES.c.issue_id, ARCHIVES.c.user_id],
        set_={"archived_at": now, "updated_at": now, **by},
    )
    row = (await session.execute(statement.returning(ARCHIVES))).mappings().one()
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.inbox_archived",
        entity_type="issue",
        entity_id=issue["id"],
        details={"userId": user_id, "archivedAt": iso(now), "targetResolvedFrom": "responsible_user"},
    )
    return archive_to_wire(row)


async def unarchive(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    user_id = _archive_target(actor, issue)
    row = (
        (
            await session.execute(
                sa.delete(ARCHIVES)
                .where(ARCHIVES.c.issue_id == issue["id"], ARCHIVES.c.user_id == user_id)
                .returning(ARCHIVES)
            )
        )
        .mappings()
        .first()
    )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.inbox_unarchived",
        entity_type="issue",
        entity_id=issue["id"],
        details={"userId": user_id, "targetResolvedFrom": "responsible_user"},
    )
    return archive_to_wire(row) if row is not None else {"ok": True, "userId": user_id}


# ---------------------------------------------------------------- list filters (SQL on the issue alias x)


def _user(actor: Actor, raw: str, name: str) -> str:
    if raw == "me":
        if not actor.is_board or not actor.user_id:
            raise BadRequest(f"{name}=me needs a board user")
        return actor.user_id
    return raw


def user_filters(
    actor: Actor,
    where: list[str],
    params: dict[str, Any],
    *,
    touched: str | None,
    unread: str | None,
    archived: str | None,
) -> None:
    """The inbox filters of the issue list: touched by, unread for, and not archived by a user."""
    if touched:
        params["touched_user"] = _user(actor, touched, "touchedByUserId")
        where.append(queries.touched_sql("touched_user"))
    if unread:
        params["unread_user"] = _user(actor, unread, "unreadForUserId")
        where.append(
            f"{queries.touched_sql('unread_user')} AND {queries.last_external_comment_sql('unread_user')} > "
            f"COALESCE({queries.last_touch_sql('unread_user')}, '-infinity'::timestamptz)"
        )
    if archived:
        params["archived_user"] = _user(actor, archived, "inboxArchivedByUserId")
        where.append(
            "NOT EXISTS (SELECT 1 FROM issue_inbox_archives ia WHERE ia.issue_id = x.id "
            "AND ia.user_id = CAST(:archived_user AS text))"
        )


# ---------------------------------------------------------------- the agent's view of a user's inbox


def require_agent(actor: Actor) -> uuid.UUID:
    if not actor.is_agent or actor.company_id is None:
        raise Unauthorized("Agent authentication required")
    return actor.company_id


async def inbox_mine(
    session: AsyncSession, actor: Actor, user_id: str | None, status: str | None, window: Window
) -> str:
    company_id = require_agent(actor)
    if not user_id:
        raise BadRequest("Validation error", [{"path": ["userId"], "message": "Required"}])
    statuses = [s.strip() for s in (status or "").split(",") if s.strip()]
    params: dict[str, Any] = {
        "company_id": company_id,
        "user": user_id,
        "limit": window.limit,
        "offset": window.offset,
    }
    if statuses:
        params["statuses"] = statuses
    return await queries.inbox_mine_page(bool(statuses)).fetchval(session, **params)

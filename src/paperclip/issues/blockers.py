"""Blockers: `issue_relations(type='blocks')` rows, exposed as `blockedByIssueIds`, `blockedBy`, `blocks`.

A row (issue_id=X, related_issue_id=Y) means Y blocks X. Only a `done` blocker satisfies the
dependency; a cancelled one does not.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.db.models import Issue, IssueRelation
from paperclip.errors import Unprocessable
from paperclip.vocabulary import ISSUE_TERMINAL

ISSUES = Issue.__table__
RELATIONS = IssueRelation.__table__
BLOCKS = "blocks"


async def validate_blockers(
    session: AsyncSession, company_id: uuid.UUID, issue_id: uuid.UUID | None, blocker_ids: Iterable[uuid.UUID]
) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(blocker_ids))
    if not wanted:
        return []
    if issue_id is not None and issue_id in wanted:
        raise Unprocessable("Issue cannot be blocked by itself")
    rows = (
        await session.execute(sa.select(ISSUES.c.id, ISSUES.c.company_id).where(ISSUES.c.id.in_(wanted)))
    ).all()
    if len(rows) != len(wanted) or any(r.company_id != company_id for r in rows):
        raise Unprocessable("Blocked-by issues must belong to the same company")
    if issue_id is not None:
        # Would `issue_id` end up blocking itself? Walk the blockers' own blockers transitively.
        reach = (
            sa.select(RELATIONS.c.related_issue_id.label("id"), sa.literal(1).label("depth"))
            .where(RELATIONS.c.issue_id.in_(wanted), RELATIONS.c.type == BLOCKS)
            .cte("reach", recursive=True)
        )
        reach = reach.union_all(
            sa.select(RELATIONS.c.related_issue_id, (reach.c.depth + 1))
            .join(reach, RELATIONS.c.issue_id == reach.c.id)
            .where(RELATIONS.c.type == BLOCKS, reach.c.depth < 1024)
        )
        if await session.scalar(sa.select(sa.exists().where(reach.c.id == issue_id))):
            raise Unprocessable("Blocking relations cannot contain cycles")
    return wanted


async def blocker_ids(session: AsyncSession, issue_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        await session.scalars(
            sa.select(RELATIONS.c.related_issue_id)
            .where(RELATIONS.c.issue_id == issue_id, RELATIONS.c.type == BLOCKS)
            .order_by(RELATIONS.c.created_at, RELATIONS.c.related_issue_id)
        )
    )


async def replace_blockers(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    issue_id: uuid.UUID,
    wanted: list[uuid.UUID],
    now,
) -> None:
    delete = sa.delete(RELATIONS).where(RELATIONS.c.issue_id == issue_id, RELATIONS.c.type == BLOCKS)
    if wanted:
        delete = delete.where(RELATIONS.c.related_issue_id.not_in(wanted))
    await session.execute(delete)
    await insert_blockers(session, actor, company_id, issue_id, wanted, now)


async def insert_blockers(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    issue_id: uuid.UUID,
    wanted: list[uuid.UUID],
    now,
) -> None:
    if not wanted:
        return
    await session.execute(
        pg_insert(RELATIONS)
        .values(
            [
                {
                    "company_id": company_id,
                    "issue_id": issue_id,
                    "related_issue_id": blocker,
                    "type": BLOCKS,
                    "created_by_agent_id": actor.agent_id,
                    "created_by_user_id": actor.user_id if actor.is_board else None,
                    "created_at": now,
                }
                for blocker in wanted
            ]
        )
        .on_conflict_do_nothing()
    )


async def unblocked_by(session: AsyncSession, done_issue_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Issues blocked by `done_issue_id` whose blockers are now all done and that have an agent
    assignee and are not terminal: (issue id, assignee agent id)."""
    other = RELATIONS.alias("other")
    blocker = ISSUES.alias("blocker")
    still_open = sa.exists().where(
        other.c.issue_id == ISSUES.c.id,
        other.c.type == BLOCKS,
        blocker.c.id == other.c.related_issue_id,
        blocker.c.status != "done",
    )
    rows = await session.execute(
        sa.select(ISSUES.c.id, ISSUES.c.assignee_agent_id)
        .join(RELATIONS, RELATIONS.c.issue_id == ISSUES.c.id)
        .where(
            RELATIONS.c.related_issue_id == done_issue_id,
            RELATIONS.c.type == BLOCKS,
            ISSUES.c.assignee_agent_id.is_not(None),
            ISSUES.c.status.not_in(ISSUE_TERMINAL),
            ~still_open,
        )
    )
    return [(r.id, r.assignee_agent_id) for r in rows]

"""Company labels and the labels attached to issues (batch-loaded for lists: one query per page)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import IssueLabel, Label
from paperclip.db.paging import Window
from paperclip.errors import Conflict, NotFound
from paperclip.issues.identifiers import require_company_exists, require_uuid
from paperclip.issues.schemas import LabelCreate
from paperclip.issues.shapes import label_to_wire

LABELS = Label.__table__
ISSUE_LABELS = IssueLabel.__table__


async def list_labels(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, window: Window | None = None
) -> list[dict[str, Any]]:
    actor.require_company(company_id)
    stmt = sa.select(LABELS).where(LABELS.c.company_id == company_id).order_by(LABELS.c.name, LABELS.c.id)
    rows = (await session.execute(window.apply(stmt) if window else stmt)).mappings().all()
    if not rows:
        await require_company_exists(session, company_id)
    return [label_to_wire(r) for r in rows]


async def create_label(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: LabelCreate, now: datetime
) -> dict[str, Any]:
    actor.require_company(company_id)
    exists = await session.scalar(
        sa.select(sa.exists().where(LABELS.c.company_id == company_id, LABELS.c.name == body.name))
    )
    if exists:
        raise Conflict("Label already exists")
    try:
        async with session.begin_nested():
            row = (
                (
                    await session.execute(
                        sa.insert(LABELS)
                        .values(
                            company_id=company_id,
                            name=body.name,
                            color=body.color,
                            created_at=now,
                            updated_at=now,
                        )
                        .returning(LABELS)
                    )
                )
                .mappings()
                .one()
            )
    except IntegrityError as exc:  # concurrent duplicate, or an unknown company (foreign key)
        if "foreign key" in str(exc.orig).lower():
            raise NotFound("Company not found") from None
        raise Conflict("Label already exists") from None
    await record(
        session,
        actor,
        company_id=company_id,
        action="label.created",
        entity_type="label",
        entity_id=row["id"],
        details={"name": row["name"], "color": row["color"]},
    )
    return label_to_wire(row)


async def delete_label(session: AsyncSession, actor: Actor, label_ref: str) -> dict[str, Any]:
    label_id = require_uuid(label_ref, "Label not found")
    row = (await session.execute(sa.select(LABELS).where(LABELS.c.id == label_id))).mappings().first()
    if row is None:
        raise NotFound("Label not found")
    actor.require_company(row["company_id"])
    await session.execute(sa.delete(LABELS).where(LABELS.c.id == label_id))
    await record(
        session,
        actor,
        company_id=row["company_id"],
        action="label.deleted",
        entity_type="label",
        entity_id=label_id,
        details={"name": row["name"]},
    )
    return label_to_wire(row)


async def labels_for(
    session: AsyncSession, issue_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    result: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if not issue_ids:
        return result
    rows = (
        await session.execute(
            sa.select(ISSUE_LABELS.c.issue_id, LABELS)
            .join(LABELS, LABELS.c.id == ISSUE_LABELS.c.label_id)
            .where(ISSUE_LABELS.c.issue_id.in_(list(issue_ids)))
            .order_by(LABELS.c.name, LABELS.c.id)
        )
    ).mappings()
    for r in rows:
        result.setdefault(r["issue_id"], []).append(label_to_wire(r))
    return result


async def attach_labels(
    session: AsyncSession,
    company_id: uuid.UUID,
    issue_id: uuid.UUID,
    label_ids: list[uuid.UUID],
    now: datetime,
) -> None:
    if not label_ids:
        return
    await session.execute(
        pg_insert(ISSUE_LABELS)
        .values(
            [
                {"issue_id": issue_id, "label_id": label_id, "company_id": company_id, "created_at": now}
                for label_id in label_ids
            ]
        )
        .on_conflict_do_nothing()
    )


async def replace_labels(
    session: AsyncSession,
    company_id: uuid.UUID,
    issue_id: uuid.UUID,
    label_ids: list[uuid.UUID],
    now: datetime,
) -> None:
    delete = sa.delete(ISSUE_LABELS).where(ISSUE_LABELS.c.issue_id == issue_id)
    if label_ids:
        delete = delete.where(ISSUE_LABELS.c.label_id.not_in(label_ids))
    await session.execute(delete)
    await attach_labels(session, company_id, issue_id, label_ids, now)

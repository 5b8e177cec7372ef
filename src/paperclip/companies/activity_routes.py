"""GET/POST /api/companies/{id}/activity: a company's activity log, newest first, filtered, bounded.

The routes live with the company that owns the URL; the log itself is paperclip.activity (which
every feature, companies included, records into)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query

from paperclip.activity.service import MAX_LIMIT, create_entry, list_activity, to_wire
from paperclip.api.deps import DB, ActorDep
from paperclip.api.responses import returns
from paperclip.auth.ids import path_uuid
from paperclip.companies.fields import Body, JsonObject, bounded_text
from paperclip.companies.scoping import require_same_company
from paperclip.companies.service import get_company, require_company_exists
from paperclip.db.models import Agent
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["activity"])
Word = bounded_text(1, 200)


class EntryCreate(Body):
    actorType: Literal["agent", "user", "system", "plugin"] = "system"
    actorId: Word
    action: Word
    entityType: Word
    entityId: Word
    agentId: uuid.UUID | None = None
    details: JsonObject | None = None


Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]


@router.get("/companies/{company_id}/activity")
@returns("paperclip.activity.responses:list[ActivityEntry]")
async def company_activity(
    company_id: str,
    session: DB,
    actor: ActorDep,
    agentId: uuid.UUID | None = None,  # noqa: N803 - the wire's query names
    entityType: Text = None,  # noqa: N803
    entityId: Text = None,  # noqa: N803
    action: Text = None,
    limit: Annotated[int, Query(ge=1)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
):
    cid = path_uuid(company_id, "Company not found")
    actor.require_company(cid)
    rows = await list_activity(
        session,
        cid,
        agent_id=agentId,
        entity_type=entityType,
        entity_id=entityId,
        action=action,
        limit=min(limit, MAX_LIMIT),
        offset=offset,
    )
    if not rows and offset == 0:
        await require_company_exists(session, cid)
    return [to_wire(r) for r in rows]


@router.post("/companies/{company_id}/activity", status_code=201)
@returns("paperclip.activity.responses:ActivityEntry")
async def create_activity(company_id: str, body: EntryCreate, session: DB, actor: ActorDep):
    actor.require_board()
    company = await get_company(session, actor, path_uuid(company_id, "Company not found"))
    if body.agentId is not None:
        await require_same_company(session, Agent, body.agentId, company.id, "Agent")
    row = await create_entry(
        session,
        company.id,
        actor_type=body.actorType,
        actor_id=body.actorId,
        action=body.action,
        entity_type=body.entityType,
        entity_id=body.entityId,
        agent_id=body.agentId,
        details=body.details,
    )
    return to_wire(row)

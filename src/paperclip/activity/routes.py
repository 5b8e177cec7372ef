"""GET /api/companies/{id}/activity: newest first, filtered, bounded."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from paperclip.activity.service import MAX_LIMIT, list_activity, to_wire
from paperclip.api.deps import DB, ActorDep
from paperclip.auth.ids import path_uuid
from paperclip.companies.service import require_company_exists

router = APIRouter(tags=["activity"])
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]


@router.get("/companies/{company_id}/activity")
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
    rows = await list_activity(session, cid, agent_id=agentId, entity_type=entityType, entity_id=entityId,
                               action=action, limit=min(limit, MAX_LIMIT), offset=offset)
    if not rows and offset == 0:
        await require_company_exists(session, cid)
    return [to_wire(r) for r in rows]

"""GET /api/companies/{id}/audit/agent-actions: what the company's agents did, newest first, for the
board's audit view. Keyset pages (`cursor` = the last item's createdAt and id, base64 JSON, as the
original), optional `agentId`, `limit` 1..200 (default 50). Issue entities carry their identifier and
title so the view can name them."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

import orjson
from fastapi import Query
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity import queries
from paperclip.api.deps import DB, ActorDep
from paperclip.api.responses import returns
from paperclip.errors import BadRequest
from paperclip.feature_router import FeatureRouter
from paperclip.ids import parse_uuid, path_uuid
from paperclip.wire import iso

router = FeatureRouter(tags=["activity"])


def _cursor(value: str | None) -> tuple[datetime | None, uuid.UUID | None]:
    if not value:
        return None, None
    try:
        data = orjson.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        created = datetime.fromisoformat(str(data["createdAt"]).replace("Z", "+00:00"))
        ident = parse_uuid(str(data["id"]))
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise BadRequest("Invalid audit cursor") from None
    if ident is None or created.tzinfo is None:
        raise BadRequest("Invalid audit cursor")
    return created, ident


def _encode(created_at: datetime, ident: uuid.UUID) -> str:
    raw = orjson.dumps({"createdAt": iso(created_at), "id": str(ident)})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def agent_actions(
    session: AsyncSession,
    company_id: uuid.UUID,
    agent_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
    everyone: bool = False,
) -> dict[str, Any]:
    created, ident = _cursor(cursor)
    rows = await queries.AGENT_ACTIONS.fetch(
        session, company_id, agent_id, created, ident, limit + 1, everyone
    )
    items = [
        {
            "id": str(r["id"]),
            "companyId": str(r["company_id"]),
            "actorType": r["actor_type"],
            "actorId": r["actor_id"],
            "action": r["action"],
            "entityType": r["entity_type"],
            "entityId": r["entity_id"],
            "agentId": str(r["agent_id"]) if r["agent_id"] else None,
            "runId": str(r["run_id"]) if r["run_id"] else None,
            "responsibleUserId": None,
            "createdAt": iso(r["created_at"]),
            "details": r["details"],
            "entity": {
                "issue": {
                    "id": str(r["issue_id"]),
                    "identifier": r["issue_identifier"],
                    "title": r["issue_title"],
                }
                if r["issue_id"]
                else None,
                "comment": None,
                "document": None,
            },
        }
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    out: dict[str, Any] = {"items": items, "accessTier": "full"}
    if more:
        last = rows[limit - 1]
        out["nextCursor"] = _encode(last["created_at"], last["id"])
    return out


def _limit_error(limit: int) -> None:
    if not 1 <= limit <= 200:
        bound = (
            "Too small: expected number to be >=1" if limit < 1 else "Too big: expected number to be <=200"
        )
        raise BadRequest("Invalid agent action audit query", [{"path": ["limit"], "message": bound}])


@router.get("/companies/{company_id}/audit/agent-actions")
@returns("AuditPage")
async def list_agent_actions(
    company_id: str,
    session: DB,
    actor: ActorDep,
    agentId: str | None = None,
    cursor: str | None = Query(None, max_length=512),
    limit: int = 50,
    actorScope: str = "agents",
):
    """`actorScope`: `agents` (agents and the system acting for them, the default) or `all` (board users too)."""
    cid = path_uuid(company_id, "Company not found")
    actor.require_company(cid)
    _limit_error(limit)
    agent = parse_uuid(agentId) if agentId else None
    if agentId and agent is None:
        raise BadRequest(
            "Invalid agent action audit query", [{"path": ["agentId"], "message": "Invalid UUID"}]
        )
    if actorScope not in ("agents", "all"):
        raise BadRequest(
            "Invalid agent action audit query",
            [
                {
                    "path": ["actorScope"],
                    "code": "invalid_value",
                    "message": 'Invalid option: expected one of "agents"|"all"',
                }
            ],
        )
    return await agent_actions(session, cid, agent, cursor, limit, actorScope == "all")

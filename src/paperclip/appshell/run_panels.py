"""The run page's side panels in the original's web app: workspace operations, tool decisions and
provider traces of a run. We record none of the three (no managed execution workspaces, no tool
approval gate, no provider call tracing), so for a run the caller may see each answers what is true
here — an empty list — at the original's paths and shapes, and an unknown run is the original's 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query

from paperclip.api.deps import DB, ActorDep
from paperclip.errors import BadRequest, NotFound
from paperclip.feature_router import FeatureRouter
from paperclip.heartbeat.service import RUN_NOT_FOUND, visible_run
from paperclip.ids import parse_uuid, path_uuid

router = FeatureRouter(tags=["app-shell"])


@router.get("/heartbeat-runs/{run_id}/workspace-operations")
async def workspace_operations(run_id: str, session: DB, actor: ActorDep) -> list[dict[str, Any]]:
    await visible_run(session, actor, path_uuid(run_id, RUN_NOT_FOUND))
    return []


@router.get("/companies/{company_id}/tools/runs/{run_id}/decisions")
async def tool_decisions(company_id: str, run_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    cid = path_uuid(company_id, "Company not found")
    actor.require_company(cid)
    rid = path_uuid(run_id, "Run not found")
    try:
        run = await visible_run(session, actor, rid)
    except NotFound:
        raise NotFound("Run not found") from None
    if run.company_id != cid:
        raise NotFound("Run not found")
    return {"runId": str(rid), "decisions": []}


@router.get("/companies/{company_id}/provider-traces")
async def provider_traces(
    company_id: str, actor: ActorDep, runIds: str | None = Query(None)
) -> list[dict[str, Any]]:
    actor.require_company(path_uuid(company_id, "Company not found"))
    for raw in filter(None, (part.strip() for part in (runIds or "").split(","))):
        if parse_uuid(raw) is None:  # the original answers 500 here; a clear 400 instead
            raise BadRequest(f"runIds: not a run id: {raw[:64]}")
    return []

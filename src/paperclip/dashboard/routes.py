"""GET /api/companies/{companyId}/dashboard."""

from __future__ import annotations

from starlette.responses import Response

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.costs.schemas import path_id
from paperclip.dashboard.service import dashboard
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["dashboard"])


@router.get("/companies/{company_id}/dashboard")
async def get_dashboard(company_id: str, session: DB, actor: ActorDep, now: Now) -> Response:
    cid = path_id(company_id, "Company not found")
    actor.require_company(cid)
    return Response(await dashboard(session, cid, now), media_type="application/json")

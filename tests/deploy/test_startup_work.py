"""Start-up does each piece of work once (issue 13's start-up time): feature routes are built only
when mounted, the timing-equaliser hash is not recomputed by every process, and a route whose
result FastAPI must validate is not answered through the orjson shortcut."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from paperclip.access.passwords import _DUMMY_HASH, HASHER
from paperclip.api import router as api_router
from paperclip.feature_router import FeatureRouter


def test_every_feature_router_defers_its_routes_to_the_mount():
    plain = [r for r in api_router.FEATURE_ROUTERS if not isinstance(r, FeatureRouter)]
    assert not plain, "use paperclip.feature_router.FeatureRouter: an APIRouter's routes are built twice"
    for router in api_router.FEATURE_ROUTERS:
        # nothing built at import but websockets (which mount_api copies as they are)
        assert all(type(route).__name__ == "APIWebSocketRoute" for route in router.routes)
    assert sum(len(r.declared) for r in api_router.FEATURE_ROUTERS) > 200


def test_dummy_hash_has_the_hashers_parameters():
    # verifying it must cost what verifying a stored hash costs (the unknown-email timing)
    assert not HASHER.check_needs_rehash(_DUMMY_HASH)
    assert HASHER.verify(_DUMMY_HASH, "paperclip-dummy-password-for-timing")


async def test_mounted_routes_keep_fastapis_validation_where_a_response_model_is_declared(monkeypatch):
    router = FeatureRouter(tags=["t"])

    @router.get("/plain")
    async def plain_route():
        return {"b": 1, "a": [2]}

    @router.get("/modelled")
    async def modelled_route() -> dict[str, int]:
        return {"n": "7"}  # validated (and coerced) by FastAPI: not the orjson shortcut

    @router.get("/sync")
    def sync_route():
        return {"sync": True}

    monkeypatch.setattr(api_router, "FEATURE_ROUTERS", [router])
    app = FastAPI()
    api_router.mount_api(app)
    routes = {route.path: route for route in app.router.routes}
    assert routes["/api/plain"].endpoint.plain == [True]
    assert routes["/api/modelled"].endpoint.plain == [False]
    assert not hasattr(routes["/api/sync"].endpoint, "plain")
    assert routes["/api/plain"].tags == ["t"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/api/plain")).content == b'{"b":1,"a":[2]}'
        assert (await client.get("/api/modelled")).json() == {"n": 7}
        assert (await client.get("/api/sync")).json() == {"sync": True}

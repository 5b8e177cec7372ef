from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "heartbeat"))

from hb_support import Factory  # noqa: E402


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


class SecretsApi:
    """Helpers over the API for secrets tests (the board is the default actor)."""

    def __init__(self, client):
        self.client = client

    async def company(self, name: str = "Acme") -> str:
        r = await self.client.post("/api/companies", json={"name": name})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def secret(self, company_id: str, name: str, value: str, **extra) -> dict:
        r = await self.client.post(f"/api/companies/{company_id}/secrets", json={"name": name, "value": value, **extra})
        assert r.status_code == 201, r.text
        return r.json()

    async def agent_key(self, company_id: str) -> dict[str, str]:
        r = await self.client.post(f"/api/companies/{company_id}/agents", json={"name": "Keyholder"})
        assert r.status_code == 201, r.text
        r = await self.client.post(f"/api/agents/{r.json()['id']}/keys", json={"name": "t"})
        return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
def api(client) -> SecretsApi:
    return SecretsApi(client)


@pytest.fixture
async def strict_client(make_settings, database_url):
    """A client on an app in local_trusted mode with PAPERCLIP_SECRETS_STRICT_MODE=true."""
    import httpx

    from paperclip.server.runtime import build_app

    application = build_app(make_settings({"PAPERCLIP_SECRETS_STRICT_MODE": "true"}), database_url, 3100)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as http:
            yield http

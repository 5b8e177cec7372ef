from __future__ import annotations

import pytest


class Api:
    """Small helpers over the API for agent tests (the board is the default actor)."""

    def __init__(self, client):
        self.client = client

    async def company(self, name: str = "Acme", **extra) -> str:
        r = await self.client.post("/api/companies", json={"name": name, **extra})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def agent(self, company_id: str, name: str = "Worker", **extra) -> dict:
        r = await self.client.post(f"/api/companies/{company_id}/agents", json={"name": name, **extra})
        assert r.status_code == 201, r.text
        return r.json()

    async def key(self, agent_id: str) -> dict[str, str]:
        r = await self.client.post(f"/api/agents/{agent_id}/keys", json={"name": "test"})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
def api(client) -> Api:
    return Api(client)

"""Factories for the governance tests (costs, budgets, approvals, dashboard): companies and agents
through the API, direct SQL for rows the API does not create (queued runs) and for assertions."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

OCCURRED = "2026-01-15T12:00:00Z"


class Gov:
    def __init__(self, client, database_url: str):
        self.client = client
        self.database_url = database_url

    async def company(self, name: str = "Paperclip Labs", **fields: Any) -> dict:
        r = await self.client.post("/api/companies", json={"name": name, **fields})
        assert r.status_code == 201, r.text
        return r.json()

    async def agent(self, company_id: str, name: str = "Ann", **fields: Any) -> dict:
        body = {"name": name, "adapterType": "process", "adapterConfig": {"command": "true"}, **fields}
        r = await self.client.post(f"/api/companies/{company_id}/agents", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    async def key(self, agent_id: str) -> dict[str, str]:
        r = await self.client.post(f"/api/agents/{agent_id}/keys", json={"name": "k"})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    async def cost(self, company_id: str, agent_id: str, cents: int, headers=None, **fields: Any):
        body = {
            "agentId": agent_id,
            "provider": "anthropic",
            "model": "claude-sonnet",
            "inputTokens": 10,
            "outputTokens": 5,
            "costCents": cents,
            "occurredAt": fields.pop("occurredAt", None) or self.now_iso(),
            **fields,
        }
        return await self.client.post(
            f"/api/companies/{company_id}/cost-events", json=body, headers=headers or {}
        )

    @staticmethod
    def now_iso() -> str:
        from datetime import UTC, datetime

        return datetime.now(UTC).isoformat().replace("+00:00", "Z")

    def sql(self, query: str, *params: Any) -> list[dict]:
        with psycopg.connect(self.database_url, row_factory=dict_row, autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def one(self, query: str, *params: Any) -> dict:
        rows = self.sql(query, *params)
        assert len(rows) == 1, rows
        return rows[0]


@pytest.fixture
def gov(client, database_url) -> Gov:
    return Gov(client, database_url)

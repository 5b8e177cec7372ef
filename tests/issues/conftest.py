"""Factories for the issue tests: companies, agents and keys through the API; heartbeat runs as rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from paperclip.db.models import AgentWakeupRequest, HeartbeatRun


@dataclass
class World:
    client: object
    app: object

    async def company(self, name: str = "Paperclip Labs") -> dict:
        response = await self.client.post("/api/companies", json={"name": name})
        assert response.status_code == 201, response.text
        return response.json()

    async def agent(self, company_id: str, name: str, **extra) -> dict:
        body = {"name": name, "adapterType": "process", "adapterConfig": {"command": "true"}, **extra}
        response = await self.client.post(f"/api/companies/{company_id}/agents", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    async def key(self, agent_id: str) -> str:
        response = await self.client.post(f"/api/agents/{agent_id}/keys", json={"name": "test"})
        assert response.status_code == 201, response.text
        return response.json()["token"]

    async def run(self, company_id: str, agent_id: str, status: str = "running") -> str:
        """A heartbeat run row (the heartbeat feature creates these in production)."""
        run_id = uuid.uuid4()
        async with self.app.state.sessions() as session, session.begin():
            await session.execute(
                sa.insert(HeartbeatRun).values(
                    id=run_id,
                    company_id=uuid.UUID(company_id),
                    agent_id=uuid.UUID(agent_id),
                    invocation_source="on_demand",
                    trigger_detail="manual",
                    status=status,
                )
            )
        return str(run_id)

    async def set_run_status(self, run_id: str, status: str) -> None:
        async with self.app.state.sessions() as session, session.begin():
            await session.execute(
                sa.update(HeartbeatRun).where(HeartbeatRun.id == uuid.UUID(run_id)).values(status=status)
            )

    async def wakeups(self, agent_id: str) -> list[AgentWakeupRequest]:
        async with self.app.state.sessions() as session:
            rows = await session.scalars(
                sa.select(AgentWakeupRequest)
                .where(AgentWakeupRequest.agent_id == uuid.UUID(agent_id))
                .order_by(AgentWakeupRequest.requested_at)
            )
            return list(rows)

    async def issue(self, company_id: str, headers: dict | None = None, **body) -> dict:
        body.setdefault("title", "An issue")
        response = await self.client.post(
            f"/api/companies/{company_id}/issues", json=body, headers=headers or {}
        )
        assert response.status_code == 201, response.text
        return response.json()


def agent_headers(token: str, run_id: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if run_id:
        headers["X-Paperclip-Run-Id"] = run_id
    return headers


@pytest.fixture
def world(client, app) -> World:
    return World(client, app)


@dataclass
class Team:
    """Company C with agents A1, A2 (keys K1, K2, live runs R1, R2) and agent X of another company."""

    company: dict
    a1: dict
    a2: dict
    k1: str
    k2: str
    r1: str
    r2: str
    other_company: dict
    x: dict
    kx: str

    @property
    def cid(self) -> str:
        return self.company["id"]

    def h1(self, run: str | None = "default") -> dict:
        return agent_headers(self.k1, self.r1 if run == "default" else run)

    def h2(self, run: str | None = "default") -> dict:
        return agent_headers(self.k2, self.r2 if run == "default" else run)

    def hx(self) -> dict:
        return agent_headers(self.kx)


@pytest.fixture
async def team(world: World) -> Team:
    company = await world.company("Paperclip Labs")
    a1 = await world.agent(company["id"], "Alpha Bot")
    a2 = await world.agent(company["id"], "Beta")
    k1, k2 = await world.key(a1["id"]), await world.key(a2["id"])
    r1 = await world.run(company["id"], a1["id"])
    r2 = await world.run(company["id"], a2["id"])
    other = await world.company("Other Corp")
    x = await world.agent(other["id"], "Xeno")
    kx = await world.key(x["id"])
    return Team(company, a1, a2, k1, k2, r1, r2, other, x, kx)

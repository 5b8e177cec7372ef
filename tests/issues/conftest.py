"""The issue tests' team: a company with two agents (keys, live runs) and an agent of another company,
made with the shared factories (tests/factories.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from factories import bearer


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
        return bearer(self.k1, self.r1 if run == "default" else run)

    def h2(self, run: str | None = "default") -> dict:
        return bearer(self.k2, self.r2 if run == "default" else run)

    def hx(self) -> dict:
        return bearer(self.kx)


@pytest.fixture
async def team(api, factory) -> Team:
    company = await api.company("Paperclip Labs")
    a1 = await api.agent(company["id"], "Alpha Bot")
    a2 = await api.agent(company["id"], "Beta")
    k1, k2 = await api.agent_key(a1["id"]), await api.agent_key(a2["id"])
    r1 = await factory.heartbeat_run(company["id"], a1["id"])
    r2 = await factory.heartbeat_run(company["id"], a2["id"])
    other = await api.company("Other Corp")
    x = await api.agent(other["id"], "Xeno")
    kx = await api.agent_key(x["id"])
    return Team(company, a1, a2, k1, k2, r1, r2, other, x, kx)

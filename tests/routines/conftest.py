"""Routines test helpers: a company with an agent whose timer heartbeat is off."""

from __future__ import annotations

import pytest


@pytest.fixture
async def company(client):
    cid = (await client.post("/api/companies", json={"name": "Routine Co"})).json()["id"]
    agent = (
        await client.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": "Bot",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        )
    ).json()
    return {"id": cid, "agent": agent["id"]}

"""Routines tests: a company with an agent whose timer heartbeat is off (made with tests/factories.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
async def company(api):
    cid = (await api.company("Routine Co"))["id"]
    agent = await api.agent(cid, "Bot", runtimeConfig={"heartbeat": {"enabled": False}})
    return {"id": cid, "agent": agent["id"]}

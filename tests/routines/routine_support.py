"""Helpers shared by the routines tests."""

from __future__ import annotations


async def make_routine(client, company, **fields):
    body = {"title": "Daily review", "assigneeAgentId": company["agent"], **fields}
    r = await client.post(f"/api/companies/{company['id']}/routines", json=body)
    assert r.status_code == 201, r.text
    return r.json()

from __future__ import annotations

import uuid

import sqlalchemy as sa

from paperclip.db.models import Approval


async def test_hire_without_board_approval_is_direct(client, api):
    cid = (await api.company())["id"]
    r = await client.post(f"/api/companies/{cid}/agent-hires", json={"name": "Direct", "role": "engineer"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["approval"] is None and body["agent"]["status"] == "idle"


async def test_hire_with_board_approval_creates_pending_agent_and_approval(client, api, app):
    cid = (await api.company(requireBoardApprovalForNewAgents=True))["id"]
    r = await client.post(
        f"/api/companies/{cid}/agent-hires",
        json={"name": "Hiree", "role": "engineer", "adapterConfig": {"env": {"K": "secret-v"}}},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    agent, approval = body["agent"], body["approval"]
    assert agent["status"] == "pending_approval"
    assert approval["type"] == "hire_agent" and approval["status"] == "pending"
    assert approval["payload"]["agentId"] == agent["id"] and approval["payload"]["name"] == "Hiree"
    assert approval["requestedByUserId"] == "local-board"
    assert "secret-v" not in r.text
    async with app.state.sessions() as s:
        row = await s.scalar(sa.select(Approval).where(Approval.id == uuid.UUID(approval["id"])))
    assert row.status == "pending" and row.company_id == uuid.UUID(cid)
    # a pending agent cannot authenticate
    key = (await client.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"})).json()
    r = await client.get("/api/agents/me", headers={"Authorization": f"Bearer {key['token']}"})
    assert r.status_code == 401


async def test_agent_hire_needs_permission_and_goes_through_approval(client, api):
    cid = (await api.company())["id"]
    boss = await api.agent(cid, "Boss")  # default permissions allow creating agents
    auth = await api.agent_auth(boss["id"])
    r = await client.post(
        f"/api/companies/{cid}/agent-hires", json={"name": "Sub", "reportsTo": boss["id"]}, headers=auth
    )
    assert r.status_code == 201, r.text
    assert r.json()["agent"]["status"] == "pending_approval"
    assert r.json()["approval"]["requestedByAgentId"] == boss["id"]
    await client.patch(
        f"/api/agents/{boss['id']}/permissions", json={"canCreateAgents": False, "canAssignTasks": False}
    )
    r = await client.post(f"/api/companies/{cid}/agent-hires", json={"name": "Sub2"}, headers=auth)
    assert r.status_code == 403
    other = (await api.company("Other"))["id"]
    r = await client.post(f"/api/companies/{other}/agent-hires", json={"name": "x"}, headers=auth)
    assert r.status_code == 403 and r.json() == {"error": "Agent key cannot access another company"}

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from paperclip.db.models import Agent, AgentWakeupRequest, HeartbeatRun
from paperclip.heartbeat.wakeups import request_wakeup


async def _queue_wakeup(app, company_id: str, agent_id: str):
    async with app.state.sessions() as s, s.begin():
        return await request_wakeup(
            s,
            company_id=uuid.UUID(company_id),
            agent_id=uuid.UUID(agent_id),
            source="on_demand",
            reason="test",
            now=datetime.now(UTC),
        )


async def test_pause_cancels_queued_work_and_resume_returns_to_idle(client, api, app):
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    outcome = await _queue_wakeup(app, cid, a["id"])
    r = await client.post(f"/api/agents/{a['id']}/pause")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "paused" and body["pauseReason"] == "manual" and body["pausedAt"]
    async with app.state.sessions() as s:
        run_status = await s.scalar(sa.select(HeartbeatRun.status).where(HeartbeatRun.id == outcome.run_id))
        wake_status = await s.scalar(
            sa.select(AgentWakeupRequest.status).where(AgentWakeupRequest.id == outcome.request_id)
        )
    assert run_status == "cancelled"
    assert wake_status in ("cancelled", "claimed")  # the request is claimed by its run once the run exists
    r = await client.post(f"/api/agents/{a['id']}/resume")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["pauseReason"], r.json()["pausedAt"]) == ("idle", None, None)
    actions = [x["action"] for x in (await client.get(f"/api/companies/{cid}/activity")).json()]
    assert actions[:2] == ["agent.resumed", "agent.paused"]


async def test_terminate_is_final_and_kills_keys(client, api):
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    auth = await api.agent_auth(a["id"])
    assert (await client.get("/api/agents/me", headers=auth)).status_code == 200
    r = await client.post(f"/api/agents/{a['id']}/terminate")
    assert r.status_code == 200 and r.json()["status"] == "terminated"
    assert (await client.get("/api/agents/me", headers=auth)).status_code == 401
    r = await client.post(f"/api/agents/{a['id']}/resume")
    assert r.status_code == 409 and r.json() == {"error": "Cannot resume terminated agent"}
    r = await client.post(f"/api/agents/{a['id']}/pause")
    assert r.status_code == 409
    r = await client.post(f"/api/agents/{a['id']}/keys", json={"name": "again"})
    assert r.status_code == 409 and r.json() == {"error": "Cannot create keys for terminated agents"}
    assert (await client.post(f"/api/agents/{a['id']}/terminate")).status_code == 200


async def test_clear_error_only_from_error(client, api, app):
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    r = await client.post(f"/api/agents/{a['id']}/clear-error")
    assert r.status_code == 409 and r.json() == {
        "error": "Only agents in error status can have their error cleared"
    }
    async with app.state.sessions() as s, s.begin():
        await s.execute(sa.update(Agent).where(Agent.id == uuid.UUID(a["id"])).values(status="error"))
    r = await client.post(f"/api/agents/{a['id']}/clear-error")
    assert r.status_code == 200 and r.json()["status"] == "idle"


async def test_approve_only_pending_agents(client, api):
    cid = (await api.company(requireBoardApprovalForNewAgents=True))["id"]
    hired = (await client.post(f"/api/companies/{cid}/agent-hires", json={"name": "New"})).json()["agent"]
    assert hired["status"] == "pending_approval"
    r = await client.post(f"/api/agents/{hired['id']}/approve")
    assert r.status_code == 200 and r.json()["status"] == "idle"
    r = await client.post(f"/api/agents/{hired['id']}/approve")
    assert r.status_code == 409 and r.json() == {"error": "Only pending approval agents can be approved"}


async def test_paused_agent_invoke_is_skipped_then_resume(client, api):
    """Conformance #26: pause → invoke is skipped (no run) → resume → idle."""
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    assert (await client.post(f"/api/agents/{a['id']}/pause")).json()["status"] == "paused"
    r = await client.post(f"/api/agents/{a['id']}/heartbeat/invoke")
    # §13 says 202 {status: skipped}; the running original answers 409 "not invokable": no run either way
    assert (r.status_code, r.json().get("status")) in ((202, "skipped"), (409, None)), r.text
    runs = (await client.get(f"/api/companies/{cid}/heartbeat-runs")).json()
    assert runs == []
    assert (await client.post(f"/api/agents/{a['id']}/resume")).json()["status"] == "idle"

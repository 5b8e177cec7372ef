from __future__ import annotations

import uuid
from datetime import UTC, datetime

from paperclip.heartbeat.wakeups import request_wakeup


async def test_bad_bearer_is_401_not_board(client):
    for header in ("Bearer pcp_" + "0" * 48, "Bearer nonsense", "Basic abc", "Bearer "):
        r = await client.get("/api/companies", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert "error" in r.json()


async def test_run_id_header_must_be_a_known_run(client, app):
    r = await client.get("/api/companies", headers={"X-Paperclip-Run-Id": "not-a-uuid"})
    assert r.status_code == 400 and r.json() == {"error": "Invalid X-Paperclip-Run-Id header"}
    r = await client.get("/api/companies", headers={"X-Paperclip-Run-Id": str(uuid.uuid4())})
    assert r.status_code == 400 and r.json() == {"error": "Unknown X-Paperclip-Run-Id header"}
    cid = (await client.post("/api/companies", json={"name": "Acme"})).json()["id"]
    agent = (await client.post(f"/api/companies/{cid}/agents", json={"name": "a"})).json()
    token = (await client.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"})).json()["token"]
    async with app.state.sessions() as s, s.begin():
        outcome = await request_wakeup(s, company_id=uuid.UUID(cid), agent_id=uuid.UUID(agent["id"]),
                                       source="on_demand", reason="test", now=datetime.now(UTC))
    headers = {"Authorization": f"Bearer {token}", "X-Paperclip-Run-Id": str(outcome.run_id)}
    r = await client.post(f"/api/companies/{cid}/goals", json={"title": "from a run"}, headers=headers)
    assert r.status_code == 201
    entry = (await client.get(f"/api/companies/{cid}/activity", params={"entityType": "goal"})).json()[0]
    assert entry["runId"] == str(outcome.run_id) and entry["actorType"] == "agent"


async def test_agent_key_of_company_a_on_company_b(client):
    a = (await client.post("/api/companies", json={"name": "Alpha"})).json()["id"]
    b = (await client.post("/api/companies", json={"name": "Beta"})).json()["id"]
    agent = (await client.post(f"/api/companies/{a}/agents", json={"name": "x"})).json()
    token = (await client.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"})).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    for path in (f"/api/companies/{b}/agents", f"/api/companies/{b}/goals", f"/api/companies/{b}/projects",
                 f"/api/companies/{b}/org", f"/api/companies/{b}"):
        r = await client.get(path, headers=auth)
        assert r.status_code == 403 and r.json() == {"error": "Agent key cannot access another company"}, path

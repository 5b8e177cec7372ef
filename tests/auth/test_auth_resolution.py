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
        outcome = await request_wakeup(
            s,
            company_id=uuid.UUID(cid),
            agent_id=uuid.UUID(agent["id"]),
            source="on_demand",
            reason="test",
            now=datetime.now(UTC),
        )
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
    for path in (
        f"/api/companies/{b}/agents",
        f"/api/companies/{b}/goals",
        f"/api/companies/{b}/projects",
        f"/api/companies/{b}/org",
        f"/api/companies/{b}",
    ):
        r = await client.get(path, headers=auth)
        assert r.status_code == 403 and r.json() == {"error": "Agent key cannot access another company"}, path


async def test_run_jwt_authenticates_until_agent_terminated(client, app, settings):
    from paperclip.auth.run_jwt import mint_run_jwt

    cid = (await client.post("/api/companies", json={"name": "Acme"})).json()["id"]
    agent = (await client.post(f"/api/companies/{cid}/agents", json={"name": "a"})).json()
    async with app.state.sessions() as s, s.begin():
        outcome = await request_wakeup(
            s,
            company_id=uuid.UUID(cid),
            agent_id=uuid.UUID(agent["id"]),
            source="on_demand",
            reason="test",
            now=datetime.now(UTC),
        )
    token = mint_run_jwt(
        settings,
        agent_id=uuid.UUID(agent["id"]),
        company_id=uuid.UUID(cid),
        run_id=outcome.run_id,
        adapter_type="process",
        now=datetime.now(UTC),
    )
    auth = {"Authorization": f"Bearer {token}"}
    r = await client.get("/api/agents/me", headers=auth)
    assert r.status_code == 200 and r.json()["id"] == agent["id"]
    await client.post(f"/api/companies/{cid}/goals", json={"title": "g"}, headers=auth)
    entry = (await client.get(f"/api/companies/{cid}/activity", params={"entityType": "goal"})).json()[0]
    assert entry["runId"] == str(outcome.run_id)  # the JWT's run id when no header is sent
    forged = mint_run_jwt(
        settings,
        agent_id=uuid.UUID(agent["id"]),
        company_id=uuid.uuid4(),
        run_id=outcome.run_id,
        adapter_type="process",
        now=datetime.now(UTC),
    )
    assert (
        await client.get("/api/agents/me", headers={"Authorization": f"Bearer {forged}"})
    ).status_code == 401
    await client.post(f"/api/agents/{agent['id']}/terminate")
    assert (await client.get("/api/agents/me", headers=auth)).status_code == 401
    assert (
        await client.get("/api/agents/me", headers={"Authorization": "Bearer eyJa.eyJb.sig"})
    ).status_code == 401


async def test_board_keys_still_resolve(client, app):
    from paperclip.auth.tokens import BOARD_KEY_PREFIX, hash_token, new_token
    from paperclip.db.models import BoardApiKey, InstanceUserRole

    token = new_token(BOARD_KEY_PREFIX)
    async with app.state.sessions() as s, s.begin():
        s.add(BoardApiKey(user_id="admin-1", name="cli", key_hash=hash_token(token)))
        s.add(InstanceUserRole(user_id="admin-1", role="instance_admin"))
    r = await client.post(
        "/api/companies", json={"name": "Keyed"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    entry = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert (entry["actorType"], entry["actorId"]) == ("user", "admin-1")

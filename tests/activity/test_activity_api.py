from __future__ import annotations

import uuid


async def test_activity_newest_first_with_filters_and_paging(client):
    cid = (await client.post("/api/companies", json={"name": "Acme"})).json()["id"]
    a = (await client.post(f"/api/companies/{cid}/agents", json={"name": "A"})).json()
    token = (await client.post(f"/api/agents/{a['id']}/keys", json={"name": "k"})).json()["token"]
    goal = (
        await client.post(
            f"/api/companies/{cid}/goals", json={"title": "g"}, headers={"Authorization": f"Bearer {token}"}
        )
    ).json()
    await client.post(f"/api/agents/{a['id']}/pause")
    rows = (await client.get(f"/api/companies/{cid}/activity")).json()
    assert [r["action"] for r in rows] == [
        "agent.paused",
        "goal.created",
        "agent.key_created",
        "agent.created",
        "company.created",
    ]
    first = rows[0]
    assert set(first) == {
        "id",
        "companyId",
        "actorType",
        "actorId",
        "action",
        "entityType",
        "entityId",
        "agentId",
        "runId",
        "details",
        "createdAt",
    }
    by_agent = (await client.get(f"/api/companies/{cid}/activity", params={"agentId": a["id"]})).json()
    assert [r["action"] for r in by_agent] == ["goal.created"]
    by_entity = (
        await client.get(
            f"/api/companies/{cid}/activity", params={"entityType": "goal", "entityId": goal["id"]}
        )
    ).json()
    assert [r["entityId"] for r in by_entity] == [goal["id"]]
    by_action = (
        await client.get(f"/api/companies/{cid}/activity", params={"action": "agent.created"})
    ).json()
    assert len(by_action) == 1
    page = (await client.get(f"/api/companies/{cid}/activity", params={"limit": 2, "offset": 1})).json()
    assert [r["action"] for r in page] == ["goal.created", "agent.key_created"]
    huge = await client.get(f"/api/companies/{cid}/activity", params={"limit": 10**9})  # clamped
    assert huge.status_code == 200 and len(huge.json()) == 5
    # past PostgreSQL's integer range: refused by the input layer (paperclip.api.input_guard)
    assert (await client.get(f"/api/companies/{cid}/activity", params={"limit": 10**30})).status_code == 400
    for params in ({"limit": 0}, {"limit": "abc"}, {"offset": -1}, {"offset": 10**12}, {"agentId": "nope"}):
        r = await client.get(f"/api/companies/{cid}/activity", params=params)
        assert r.status_code == 400, params


async def test_activity_is_company_scoped(client):
    a = (await client.post("/api/companies", json={"name": "Alpha"})).json()["id"]
    b = (await client.post("/api/companies", json={"name": "Beta"})).json()["id"]
    agent = (await client.post(f"/api/companies/{a}/agents", json={"name": "x"})).json()
    token = (await client.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"})).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/api/companies/{a}/activity", headers=auth)).status_code == 200
    r = await client.get(f"/api/companies/{b}/activity", headers=auth)
    assert r.status_code == 403 and r.json() == {"error": "Agent key cannot access another company"}
    r = await client.get(f"/api/companies/{uuid.uuid4()}/activity")
    assert r.status_code == 404 and r.json() == {"error": "Company not found"}
    assert (await client.get("/api/companies/junk/activity")).status_code == 404


async def test_board_can_post_an_activity_entry_with_redacted_details(client):
    cid = (await client.post("/api/companies", json={"name": "Acme"})).json()["id"]
    agent = (await client.post(f"/api/companies/{cid}/agents", json={"name": "x"})).json()
    r = await client.post(
        f"/api/companies/{cid}/activity",
        json={
            "actorId": "someone",
            "action": "custom.thing",
            "entityType": "issue",
            "entityId": "abc",
            "agentId": agent["id"],
            "details": {"token": "pcp_" + "a" * 48, "x": 1},
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["actorType"], body["actorId"], body["agentId"]) == ("system", "someone", agent["id"])
    assert body["details"] == {"token": "***REDACTED***", "x": 1}
    assert (await client.get(f"/api/companies/{cid}/activity")).json()[0]["id"] == body["id"]
    r = await client.post(f"/api/companies/{cid}/activity", json={"action": "x"})
    assert r.status_code == 400 and {d["field"] for d in r.json()["details"]} == {
        "actorId",
        "entityType",
        "entityId",
    }
    token = (await client.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"})).json()["token"]
    r = await client.post(
        f"/api/companies/{cid}/activity",
        headers={"Authorization": f"Bearer {token}"},
        json={"actorId": "someone", "action": "x", "entityType": "issue", "entityId": "abc"},
    )
    assert r.status_code == 403

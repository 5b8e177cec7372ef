from __future__ import annotations

import uuid


async def test_goal_crud_and_activity(api, client):
    cid = (await api.company("Acme"))["id"]
    agent = (await client.post(f"/api/companies/{cid}/agents", json={"name": "Owner"})).json()
    r = await client.post(f"/api/companies/{cid}/goals", json={"title": "Win", "level": "company"})
    assert r.status_code == 201, r.text
    root = r.json()
    assert (root["level"], root["status"], root["parentId"], root["companyId"]) == (
        "company",
        "planned",
        None,
        cid,
    )
    child = (
        await client.post(
            f"/api/companies/{cid}/goals",
            json={"title": "Ship", "parentId": root["id"], "ownerAgentId": agent["id"]},
        )
    ).json()
    assert (
        child["level"] == "task" and child["parentId"] == root["id"] and child["ownerAgentId"] == agent["id"]
    )
    assert [g["id"] for g in (await client.get(f"/api/companies/{cid}/goals")).json()] == [
        root["id"],
        child["id"],
    ]
    r = await client.patch(f"/api/goals/{child['id']}", json={"status": "active", "level": "team"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["level"]) == ("active", "team")
    assert (await client.get(f"/api/goals/{child['id']}")).json()["status"] == "active"
    r = await client.delete(f"/api/goals/{root['id']}")
    assert r.status_code == 200 and r.json()["id"] == root["id"]
    assert (await client.get(f"/api/goals/{root['id']}")).status_code == 404
    assert (await client.get(f"/api/goals/{child['id']}")).json()["parentId"] is None
    actions = [
        a["action"] for a in (await client.get(f"/api/companies/{cid}/activity?entityType=goal")).json()
    ]
    assert actions == ["goal.deleted", "goal.updated", "goal.created", "goal.created"]


async def test_goal_references_and_cycles(api, client):
    cid = (await api.company("Alpha"))["id"]
    other = (await api.company("Beta"))["id"]
    foreign_goal = (await client.post(f"/api/companies/{other}/goals", json={"title": "x"})).json()
    foreign_agent = (await client.post(f"/api/companies/{other}/agents", json={"name": "x"})).json()
    r = await client.post(f"/api/companies/{cid}/goals", json={"title": "t", "parentId": foreign_goal["id"]})
    assert r.status_code == 422 and r.json() == {"error": "Parent goal must belong to same company"}
    r = await client.post(
        f"/api/companies/{cid}/goals", json={"title": "t", "ownerAgentId": foreign_agent["id"]}
    )
    assert r.status_code == 422 and r.json() == {"error": "Owner agent must belong to same company"}
    r = await client.post(f"/api/companies/{cid}/goals", json={"title": "t", "parentId": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json() == {"error": "Parent goal not found"}
    a = (await client.post(f"/api/companies/{cid}/goals", json={"title": "a"})).json()
    b = (await client.post(f"/api/companies/{cid}/goals", json={"title": "b", "parentId": a["id"]})).json()
    r = await client.patch(f"/api/goals/{a['id']}", json={"parentId": a["id"]})
    assert r.status_code == 422 and r.json() == {"error": "Goal cannot be its own parent"}
    r = await client.patch(f"/api/goals/{a['id']}", json={"parentId": b["id"]})
    assert r.status_code == 422 and r.json() == {"error": "Goal parent would create cycle"}
    r = await client.post(f"/api/companies/{cid}/goals", json={"title": "t", "level": "bad"})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["level"]


async def test_agents_manage_goals_of_their_company_only(api, client):
    cid = (await api.company("Alpha"))["id"]
    other = (await api.company("Beta"))["id"]
    agent = (await client.post(f"/api/companies/{cid}/agents", json={"name": "a"})).json()
    token = (await client.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"})).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    r = await client.post(f"/api/companies/{cid}/goals", json={"title": "mine"}, headers=auth)
    assert r.status_code == 201
    activity = (await client.get(f"/api/companies/{cid}/activity?entityType=goal")).json()
    assert activity[0]["actorType"] == "agent" and activity[0]["actorId"] == agent["id"]
    assert activity[0]["agentId"] == agent["id"]
    foreign = (await client.post(f"/api/companies/{other}/goals", json={"title": "theirs"})).json()
    assert (await client.get(f"/api/goals/{foreign['id']}", headers=auth)).status_code == 403
    assert (
        await client.post(f"/api/companies/{other}/goals", json={"title": "x"}, headers=auth)
    ).status_code == 403

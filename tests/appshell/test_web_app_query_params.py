"""Query parameters the original's board client sends on every page, accepted with the original's
meaning (a GET route refuses parameters it does not declare, so each must be declared)."""

from __future__ import annotations


async def test_the_board_clients_query_parameters_are_accepted(client, api):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, "Ann")
    assert [c["id"] for c in (await client.get("/api/companies?scope=accessible")).json()] == [cid]
    r = await client.get("/api/companies?scope=everything")
    assert (
        r.status_code == 400 and r.json()["error"] == "scope must be a single accessible value when provided"
    )
    assert (
        await client.get(f"/api/companies/{cid}/heartbeat-runs?limit=200&summary=true")
    ).status_code == 200
    assert (await client.get(f"/api/agents/{agent['id']}/runtime-state?companyId={cid}")).status_code == 200
    assert (await client.get(f"/api/agents/{agent['id']}/skills?companyId={cid}")).status_code == 200
    other = await api.company("Other")
    headers = await api.agent_auth(agent["id"])
    r = await client.get(f"/api/agents/{agent['id']}/runtime-state?companyId={other['id']}", headers=headers)
    assert r.status_code == 403


async def test_archived_projects_only_with_include_archived(client, api):
    cid = (await api.company("Paperclip Labs"))["id"]
    kept = (await client.post(f"/api/companies/{cid}/projects", json={"name": "Kept"})).json()
    old = (await client.post(f"/api/companies/{cid}/projects", json={"name": "Old"})).json()
    r = await client.patch(f"/api/projects/{old['id']}", json={"archivedAt": "2026-12-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    assert [p["id"] for p in (await client.get(f"/api/companies/{cid}/projects")).json()] == [kept["id"]]
    every = (await client.get(f"/api/companies/{cid}/projects?includeArchived=true")).json()
    assert {p["id"] for p in every} == {kept["id"], old["id"]}

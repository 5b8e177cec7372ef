from __future__ import annotations

import uuid

import sqlalchemy as sa

from paperclip.db.models import ProjectGoal


async def test_project_crud_with_goal_links(api, client, app):
    cid = (await api.company("Acme"))["id"]
    lead = (await client.post(f"/api/companies/{cid}/agents", json={"name": "Lead"})).json()
    g1 = (await client.post(f"/api/companies/{cid}/goals", json={"title": "One"})).json()
    g2 = (await client.post(f"/api/companies/{cid}/goals", json={"title": "Two"})).json()
    r = await client.post(
        f"/api/companies/{cid}/projects",
        json={
            "name": "Proj",
            "goalIds": [g1["id"], g2["id"]],
            "leadAgentId": lead["id"],
            "targetDate": "2027-01-15",
            "color": "#123456",
        },
    )
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["status"] == "backlog" and p["goalId"] == g1["id"] and p["goalIds"] == [g1["id"], g2["id"]]
    assert p["goals"] == [{"id": g1["id"], "title": "One"}, {"id": g2["id"], "title": "Two"}]
    assert (p["targetDate"], p["color"], p["leadAgentId"]) == ("2027-01-15", "#123456", lead["id"])
    r = await client.patch(f"/api/projects/{p['id']}", json={"goalIds": [g2["id"]], "status": "in_progress"})
    assert r.status_code == 200
    assert (r.json()["goalId"], r.json()["goalIds"], r.json()["status"]) == (
        g2["id"],
        [g2["id"]],
        "in_progress",
    )
    r = await client.patch(f"/api/projects/{p['id']}", json={"goalId": None})
    assert (r.json()["goalId"], r.json()["goalIds"]) == (None, [])
    r = await client.patch(f"/api/projects/{p['id']}", json={"goalId": g1["id"]})
    assert (r.json()["goalId"], r.json()["goalIds"]) == (g1["id"], [g1["id"]])
    listed = (await client.get(f"/api/companies/{cid}/projects")).json()
    assert [(x["id"], x["goalIds"]) for x in listed] == [(p["id"], [g1["id"]])]
    # deleting a goal linked to a project works and unlinks it
    assert (await client.delete(f"/api/goals/{g1['id']}")).status_code == 200
    got = (await client.get(f"/api/projects/{p['id']}")).json()
    assert (got["goalId"], got["goalIds"]) == (None, [])
    r = await client.delete(f"/api/projects/{p['id']}")
    assert r.status_code == 200 and r.json()["id"] == p["id"]
    assert (await client.get(f"/api/projects/{p['id']}")).status_code == 404
    async with app.state.sessions() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(ProjectGoal)) == 0
    actions = [
        a["action"] for a in (await client.get(f"/api/companies/{cid}/activity?entityType=project")).json()
    ]
    assert actions == [
        "project.deleted",
        "project.updated",
        "project.updated",
        "project.updated",
        "project.created",
    ]


async def test_project_cross_company_references(api, client):
    cid = (await api.company("Alpha"))["id"]
    other = (await api.company("Beta"))["id"]
    foreign_goal = (await client.post(f"/api/companies/{other}/goals", json={"title": "x"})).json()
    foreign_agent = (await client.post(f"/api/companies/{other}/agents", json={"name": "x"})).json()
    r = await client.post(
        f"/api/companies/{cid}/projects", json={"name": "p", "goalIds": [foreign_goal["id"]]}
    )
    assert r.status_code == 422
    assert r.json()["error"] == f"Unknown goal id(s) for this company: {foreign_goal['id']}"
    assert r.json()["details"] == {"unknownGoalIds": [foreign_goal["id"]]}
    r = await client.post(f"/api/companies/{cid}/projects", json={"name": "p", "goalId": foreign_goal["id"]})
    assert r.status_code == 422
    r = await client.post(
        f"/api/companies/{cid}/projects", json={"name": "p", "leadAgentId": foreign_agent["id"]}
    )
    assert r.status_code == 422 and r.json() == {"error": "Lead agent must belong to same company"}
    p = (await client.post(f"/api/companies/{cid}/projects", json={"name": "p"})).json()
    r = await client.patch(f"/api/projects/{p['id']}", json={"leadAgentId": foreign_agent["id"]})
    assert r.status_code == 422
    r = await client.patch(f"/api/projects/{p['id']}", json={"goalIds": [str(uuid.uuid4())]})
    assert r.status_code == 422
    r = await client.post(f"/api/companies/{cid}/projects", json={"name": "p", "targetDate": "garbage"})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["targetDate"]
    r = await client.patch(f"/api/projects/{p['id']}", json={"status": "nah"})
    assert r.status_code == 400


async def test_projects_have_url_keys_and_are_found_by_them(client):
    company = (await client.post("/api/companies", json={"name": "Keys Co"})).json()
    cid = company["id"]
    first = (
        await client.post(f"/api/companies/{cid}/projects", json={"name": "Website Relaunch 2027!"})
    ).json()
    second = (
        await client.post(f"/api/companies/{cid}/projects", json={"name": "website relaunch 2027"})
    ).json()
    assert (first["urlKey"], second["urlKey"]) == ("website-relaunch-2027", "website-relaunch-2027-2")
    assert first["workspaces"] == [] and first["primaryWorkspace"] is None

    found = await client.get("/api/projects/website-relaunch-2027-2", params={"companyId": cid})
    assert found.status_code == 200 and found.json()["id"] == second["id"]
    assert (await client.get("/api/projects/website-relaunch-2027")).status_code == 422  # which company?
    assert (await client.get("/api/projects/nope", params={"companyId": cid})).status_code == 404

    renamed = await client.patch(
        "/api/projects/website-relaunch-2027", params={"companyId": cid}, json={"name": "Docs"}
    )
    assert renamed.status_code == 200 and renamed.json()["urlKey"] == "docs"
    third = (
        await client.post(f"/api/companies/{cid}/projects", json={"name": "Website Relaunch 2027"})
    ).json()
    assert third["urlKey"] == "website-relaunch-2027"  # freed by the rename

    issue = (
        await client.post(f"/api/companies/{cid}/issues", json={"title": "t", "projectId": third["id"]})
    ).json()
    detail = (await client.get(f"/api/issues/{issue['id']}")).json()
    assert detail["project"]["urlKey"] == "website-relaunch-2027" and detail["project"]["workspaces"] == []
    assert (await client.delete("/api/projects/docs", params={"companyId": cid})).status_code == 200

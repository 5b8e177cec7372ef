"""Goal pages: the hierarchy tree, create, detail with sub-goals, edit, delete."""

from __future__ import annotations

from tests.web.conftest import csrf_of


async def test_goal_tree_nests_children_and_create_form(client, company):
    empty = await client.get("/ACM/goals")
    assert empty.status_code == 200 and "No goals yet" in empty.text
    token = await csrf_of(client, "/ACM/goals")
    response = await client.post(
        "/ACM/goals", data={"_csrf": token, "title": "Mission", "level": "company", "status": "active"}
    )
    assert response.status_code == 303
    mission = (await client.get(f"/api/companies/{company['id']}/goals")).json()[0]
    await client.post(
        "/ACM/goals",
        data={"_csrf": token, "title": "Team <goal>", "level": "team", "parentId": mission["id"]},
    )
    page = await client.get("/ACM/goals")
    assert "Mission" in page.text and "Team &lt;goal&gt;" in page.text
    assert page.text.index("Mission") < page.text.index("Team &lt;goal&gt;")
    assert page.text.count("<ul>") >= 2  # nested
    actions = [e["action"] for e in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert actions.count("goal.created") == 2


async def test_goal_detail_edit_cycle_refused_and_delete(client, company):
    cid = company["id"]
    parent = (
        await client.post(f"/api/companies/{cid}/goals", json={"title": "Parent", "level": "company"})
    ).json()
    child = (
        await client.post(f"/api/companies/{cid}/goals", json={"title": "Child", "parentId": parent["id"]})
    ).json()
    detail = await client.get(f"/ACM/goals/{parent['id']}")
    assert detail.status_code == 200 and "Child" in detail.text
    token = await csrf_of(client, f"/ACM/goals/{parent['id']}")
    cycle = await client.post(
        f"/ACM/goals/{parent['id']}",
        headers={"X-Fragment": "1"},
        data={
            "_csrf": token,
            "title": "Parent",
            "level": "company",
            "status": "active",
            "parentId": child["id"],
        },
    )
    assert cycle.status_code == 422 and "cycle" in cycle.text
    ok = await client.post(
        f"/ACM/goals/{child['id']}",
        data={
            "_csrf": token,
            "title": "Child 2",
            "level": "team",
            "status": "achieved",
            "parentId": parent["id"],
        },
    )
    assert ok.status_code == 303
    assert (await client.get(f"/api/goals/{child['id']}")).json()["status"] == "achieved"
    gone = await client.post(f"/ACM/goals/{child['id']}/delete", data={"_csrf": token})
    assert gone.status_code == 303
    assert (await client.get(f"/api/goals/{child['id']}")).status_code == 404
    assert (await client.get(f"/ACM/goals/{child['id']}")).status_code == 404

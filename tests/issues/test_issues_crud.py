"""Create, get, list (filters, order, pages), patch fields, delete; cross-company references."""

from __future__ import annotations


async def test_create_with_assignee_defaults_to_todo_and_wakes_it(client, api, factory, team):
    issue = await api.issue(team.cid, assigneeAgentId=team.a1["id"])
    assert issue["status"] == "todo"
    wakes = await factory.wakeups(team.a1["id"])
    assert [(w.source, w.reason, w.payload) for w in wakes] == [
        ("assignment", "issue_assigned", {"issueId": issue["id"], "mutation": "create"})
    ]
    backlog = await api.issue(team.cid, assigneeAgentId=team.a2["id"], status="backlog")
    assert backlog["status"] == "backlog"
    assert await factory.wakeups(team.a2["id"]) == []
    user = await api.issue(team.cid, assigneeUserId="local-board")
    assert user["status"] == "todo" and user["assigneeUserId"] == "local-board"


async def test_create_rules(client, team):
    url = f"/api/companies/{team.cid}/issues"
    r = await client.post(url, json={"title": "x", "status": "in_progress"})
    assert r.status_code == 422 and r.json() == {"error": "in_progress issues require an assignee"}
    r = await client.post(
        url, json={"title": "x", "assigneeAgentId": team.a1["id"], "assigneeUserId": "local-board"}
    )
    assert r.status_code == 422 and r.json() == {"error": "Issue can only have one assignee"}
    r = await client.post(url, json={"title": "x", "assigneeAgentId": "00000000-0000-4000-8000-000000000000"})
    assert r.status_code == 404 and r.json() == {"error": "Agent not found"}
    r = await client.post(url, json={"title": "x", "assigneeUserId": "nobody"})
    assert r.status_code == 404
    r = await client.post("/api/companies/00000000-0000-4000-8000-000000000000/issues", json={"title": "x"})
    assert r.status_code == 404 and r.json() == {"error": "Company not found"}
    started = await client.post(
        url, json={"title": "x", "status": "in_progress", "assigneeAgentId": team.a1["id"]}
    )
    assert started.status_code == 201 and started.json()["startedAt"] is not None


async def test_references_from_another_company_are_422(client, api, team):
    other_issue = await api.issue(team.other_company["id"], title="Theirs")
    project = (
        await client.post(f"/api/companies/{team.other_company['id']}/projects", json={"name": "P"})
    ).json()
    goal = (await client.post(f"/api/companies/{team.other_company['id']}/goals", json={"title": "G"})).json()
    label = (
        await client.post(
            f"/api/companies/{team.other_company['id']}/labels", json={"name": "theirs", "color": "#123456"}
        )
    ).json()
    url = f"/api/companies/{team.cid}/issues"
    for body in (
        {"assigneeAgentId": team.x["id"]},
        {"parentId": other_issue["id"]},
        {"projectId": project["id"]},
        {"goalId": goal["id"]},
        {"labelIds": [label["id"]]},
        {"blockedByIssueIds": [other_issue["id"]]},
    ):
        r = await client.post(url, json={"title": "x", **body})
        assert r.status_code == 422, (body, r.text)
    mine = await api.issue(team.cid)
    for body in (
        {"assigneeAgentId": team.x["id"]},
        {"parentId": other_issue["id"]},
        {"projectId": project["id"]},
        {"goalId": goal["id"]},
        {"labelIds": [label["id"]]},
        {"blockedByIssueIds": [other_issue["id"]]},
    ):
        r = await client.patch(f"/api/issues/{mine['id']}", json=body)
        assert r.status_code == 422, (body, r.text)
    assert (await client.get(f"/api/companies/{team.cid}")).json()["issueCounter"] == 1


async def test_agent_of_another_company_is_403(client, api, team):
    issue = await api.issue(team.cid)
    assert (await client.get(f"/api/issues/{issue['id']}", headers=team.hx())).status_code == 403
    assert (await client.get(f"/api/companies/{team.cid}/issues", headers=team.hx())).status_code == 403
    r = await client.post(f"/api/companies/{team.cid}/issues", headers=team.hx(), json={"title": "x"})
    assert r.status_code == 403 and r.json() == {"error": "Agent key cannot access another company"}


async def test_goal_comes_from_project_or_company_goal(client, api, team):
    company_goal = (
        await client.post(f"/api/companies/{team.cid}/goals", json={"title": "Mission", "level": "company"})
    ).json()
    team_goal = (
        await client.post(f"/api/companies/{team.cid}/goals", json={"title": "Team", "level": "team"})
    ).json()
    project = (
        await client.post(
            f"/api/companies/{team.cid}/projects", json={"name": "Proj", "goalId": team_goal["id"]}
        )
    ).json()
    with_project = await api.issue(team.cid, projectId=project["id"])
    assert with_project["projectId"] == project["id"]
    assert with_project["goalId"] == (project.get("goalId") or company_goal["id"])
    plain = await api.issue(team.cid)
    assert plain["goalId"] == company_goal["id"]
    explicit = await api.issue(team.cid, goalId=team_goal["id"], projectId=project["id"])
    assert explicit["goalId"] == team_goal["id"]
    full = (await client.get(f"/api/issues/{with_project['id']}")).json()
    assert full["project"]["id"] == project["id"] and full["goal"]["id"] == with_project["goalId"]


async def test_list_filters_order_and_pages(client, api, team):
    low = await api.issue(team.cid, title="Low one", priority="low")
    crit = await api.issue(
        team.cid, title="Critical thing", priority="critical", assigneeAgentId=team.a1["id"]
    )
    med = await api.issue(team.cid, title="Medium", description="needle in description")
    high = await api.issue(team.cid, title="High", priority="high", status="todo", parentId=med["id"])
    url = f"/api/companies/{team.cid}/issues"
    listed = (await client.get(url)).json()
    assert [i["identifier"] for i in listed] == [
        crit["identifier"],
        high["identifier"],
        med["identifier"],
        low["identifier"],
    ]
    assert "labels" in listed[0] and "labelIds" in listed[0]
    by_status = (await client.get(url, params={"status": "todo,in_review"})).json()
    assert {i["id"] for i in by_status} == {crit["id"], high["id"]}
    assert [i["id"] for i in (await client.get(url, params={"assigneeAgentId": team.a1["id"]})).json()] == [
        crit["id"]
    ]
    assert len((await client.get(url, params={"assigneeAgentId": "null"})).json()) == 3
    assert [i["id"] for i in (await client.get(url, params={"parentId": med["id"]})).json()] == [high["id"]]
    assert [i["id"] for i in (await client.get(url, params={"q": "NEEDLE"})).json()] == [med["id"]]
    assert [i["id"] for i in (await client.get(url, params={"q": low["identifier"]})).json()] == [low["id"]]
    assert (await client.get(url, params={"q": "100%_"})).json() == []
    page = (await client.get(url, params={"limit": 2, "offset": 1})).json()
    assert [i["id"] for i in page] == [high["id"], med["id"]]
    assert (await client.get(url, params={"status": "bogus"})).json() == []


async def test_patch_fields_and_changes(client, api, team):
    issue = await api.issue(team.cid, title="Before")
    r = await client.patch(
        f"/api/issues/{issue['id']}",
        json={"title": "After", "description": "d", "priority": "high", "billingCode": "B-1"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["title"], body["description"], body["priority"], body["billingCode"]) == (
        "After",
        "d",
        "high",
        "B-1",
    )
    assert body["changes"]["title"] == {"from": "Before", "to": "After"}
    assert body["comment"] is None
    r = await client.patch(f"/api/issues/{issue['id']}", json={"title": None})
    assert r.status_code == 400 and r.json()["error"] == "Validation error"
    r = await client.patch(f"/api/issues/{issue['id']}", json={"assigneeUserId": "local-board"})
    assert r.json()["assigneeUserId"] == "local-board"
    r = await client.patch(f"/api/issues/{issue['id']}", json={"assigneeAgentId": team.a1["id"]})
    assert r.json()["assigneeAgentId"] == team.a1["id"] and r.json()["assigneeUserId"] is None
    r = await client.patch(f"/api/issues/{issue['id']}", json={"assigneeAgentId": None})
    assert r.json()["assigneeAgentId"] is None
    activity = (await client.get(f"/api/issues/{issue['id']}/activity")).json()
    updated = [a for a in activity if a["action"] == "issue.updated"]
    assert len(updated) == 4 and updated[-1]["details"]["changes"]["title"] == {
        "from": "Before",
        "to": "After",
    }
    assert updated[-1]["details"]["identifier"] == issue["identifier"]


async def test_parent_cycles_are_refused(client, api, team):
    a = await api.issue(team.cid, title="A")
    b = await api.issue(team.cid, title="B", parentId=a["id"])
    c = await api.issue(team.cid, title="C", parentId=b["id"])
    r = await client.patch(f"/api/issues/{a['id']}", json={"parentId": c["id"]})
    assert r.status_code == 422
    r = await client.patch(f"/api/issues/{a['id']}", json={"parentId": a["id"]})
    assert r.status_code == 422
    full = (await client.get(f"/api/issues/{c['id']}")).json()
    assert [x["id"] for x in full["ancestors"]] == [b["id"], a["id"]]


async def test_children_route_creates_a_child_inheriting_goal_and_project(client, api, team):
    goal = (
        await client.post(f"/api/companies/{team.cid}/goals", json={"title": "G", "level": "team"})
    ).json()
    project = (await client.post(f"/api/companies/{team.cid}/projects", json={"name": "P"})).json()
    parent = await api.issue(team.cid, goalId=goal["id"], projectId=project["id"])
    r = await client.post(f"/api/issues/{parent['identifier']}/children", json={"title": "Child"})
    assert r.status_code == 201, r.text
    child = r.json()
    assert (child["parentId"], child["goalId"], child["projectId"]) == (
        parent["id"],
        goal["id"],
        project["id"],
    )
    assert child["requestDepth"] == 1
    listed = (await client.get(f"/api/companies/{team.cid}/issues", params={"parentId": parent["id"]})).json()
    assert [i["id"] for i in listed] == [child["id"]]


async def test_delete_issue(client, api, team):
    parent = await api.issue(team.cid)
    child = await api.issue(team.cid, parentId=parent["id"])
    await client.post(f"/api/issues/{parent['id']}/comments", json={"body": "bye"})
    r = await client.delete(f"/api/issues/{parent['id']}")
    assert r.status_code == 200 and r.json()["id"] == parent["id"]
    assert (await client.get(f"/api/issues/{parent['id']}")).status_code == 404
    assert (await client.delete(f"/api/issues/{parent['id']}")).status_code == 404
    assert (await client.get(f"/api/issues/{child['id']}")).json()["parentId"] is None
    actions = [a["action"] for a in (await client.get(f"/api/companies/{team.cid}/activity")).json()]
    assert "issue.deleted" in actions

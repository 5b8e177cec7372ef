"""Labels (company list, attach, filter, delete) and blockers (validation, cycles, wakes when resolved),
and the parent's wake when its last child finishes."""

from __future__ import annotations


async def test_labels_lifecycle(client, api, team):
    url = f"/api/companies/{team.cid}/labels"
    r = await client.post(url, json={"name": "bug", "color": "#ff0000"})
    assert r.status_code == 201, r.text
    bug = r.json()
    assert (bug["name"], bug["color"], bug["companyId"]) == ("bug", "#ff0000", team.cid)
    assert (await client.post(url, json={"name": "bug", "color": "#00ff00"})).status_code == 409
    assert (await client.post(url, json={"name": "x"})).status_code == 400
    assert (await client.post(url, json={"name": "x", "color": "red"})).status_code == 400
    ui = (await client.post(url, json={"name": "ui", "color": "#0000ff"})).json()
    assert [lbl["name"] for lbl in (await client.get(url)).json()] == ["bug", "ui"]
    issue = await api.issue(team.cid, labelIds=[ui["id"], bug["id"]])
    assert [lbl["name"] for lbl in issue["labels"]] == ["bug", "ui"] and issue["labelIds"] == [
        bug["id"],
        ui["id"],
    ]
    plain = await api.issue(team.cid)
    issues = f"/api/companies/{team.cid}/issues"
    assert [i["id"] for i in (await client.get(issues, params={"labelId": bug["id"]})).json()] == [
        issue["id"]
    ]
    assert [i["id"] for i in (await client.get(issues, params={"label": "BUG"})).json()] == [issue["id"]]
    listed = {i["id"]: i for i in (await client.get(issues)).json()}
    assert listed[issue["id"]]["labels"] == issue["labels"] and listed[plain["id"]]["labels"] == []
    r = await client.patch(f"/api/issues/{issue['id']}", json={"labelIds": [ui["id"]]})
    assert r.json()["labelIds"] == [ui["id"]] and r.json()["changes"]["labelIds"]["to"] == [ui["id"]]
    r = await client.delete(f"/api/labels/{ui['id']}")
    assert r.status_code == 200 and r.json()["id"] == ui["id"]
    assert (await client.delete(f"/api/labels/{ui['id']}")).status_code == 404
    assert (await client.get(f"/api/issues/{issue['id']}")).json()["labels"] == []
    assert (
        await client.get(f"/api/companies/{team.other_company['id']}/labels", headers=team.h1())
    ).status_code == 403


async def test_list_items_have_the_same_shape_as_the_created_issue(client, api, team):
    label = (
        await client.post(f"/api/companies/{team.cid}/labels", json={"name": "l", "color": "#111111"})
    ).json()
    created = await api.issue(team.cid, labelIds=[label["id"]], description="d", billingCode="b")
    listed = (await client.get(f"/api/companies/{team.cid}/issues")).json()[0]
    created.pop("blockedByIssueIds")
    assert listed.pop("descriptionTruncated") is False  # list items only (the original's 1,200-character cut)
    assert listed == created
    fetched = (await client.get(f"/api/issues/{created['id']}")).json()
    assert {k: fetched[k] for k in created} == created


async def test_blockers_validation_and_shapes(client, api, team):
    a = await api.issue(team.cid, title="A")
    b = await api.issue(team.cid, title="B", blockedByIssueIds=[a["id"]])
    assert b["blockedByIssueIds"] == [a["id"]]
    full_b = (await client.get(f"/api/issues/{b['id']}")).json()
    assert [x["id"] for x in full_b["blockedBy"]] == [a["id"]] and full_b["blockedBy"][0][
        "identifier"
    ] == "PAP-1"
    full_a = (await client.get(f"/api/issues/{a['id']}")).json()
    assert [x["id"] for x in full_a["blocks"]] == [b["id"]]
    r = await client.patch(f"/api/issues/{a['id']}", json={"blockedByIssueIds": [b["id"]]})
    assert r.status_code == 422 and r.json() == {"error": "Blocking relations cannot contain cycles"}
    r = await client.patch(f"/api/issues/{a['id']}", json={"blockedByIssueIds": [a["id"]]})
    assert r.status_code == 422 and r.json() == {"error": "Issue cannot be blocked by itself"}
    r = await client.patch(f"/api/issues/{b['id']}", json={"blockedByIssueIds": []})
    assert r.status_code == 200 and r.json()["blockedByIssueIds"] == []


async def test_last_blocker_done_wakes_the_blocked_assignee(client, api, factory, team):
    first = await api.issue(team.cid, title="first")
    second = await api.issue(team.cid, title="second")
    blocked = await api.issue(
        team.cid,
        title="blocked",
        status="blocked",
        assigneeAgentId=team.a2["id"],
        blockedByIssueIds=[first["id"], second["id"]],
    )
    base = len(await factory.wakeups(team.a2["id"]))
    await client.patch(f"/api/issues/{first['id']}", json={"status": "done"})
    assert len(await factory.wakeups(team.a2["id"])) == base
    await client.patch(f"/api/issues/{second['id']}", json={"status": "cancelled"})
    assert len(await factory.wakeups(team.a2["id"])) == base  # cancelled does not satisfy the dependency
    await client.patch(f"/api/issues/{second['id']}", json={"status": "done"})
    wakes = await factory.wakeups(team.a2["id"])
    assert len(wakes) == base + 1
    assert (wakes[-1].reason, wakes[-1].payload["issueId"]) == ("issue_blockers_resolved", blocked["id"])


async def test_last_child_terminal_wakes_the_parent_assignee(client, api, factory, team):
    parent = await api.issue(team.cid, title="parent", assigneeAgentId=team.a1["id"], status="blocked")
    base = len(await factory.wakeups(team.a1["id"]))
    c1 = (await client.post(f"/api/issues/{parent['id']}/children", json={"title": "c1"})).json()
    c2 = (await client.post(f"/api/issues/{parent['id']}/children", json={"title": "c2"})).json()
    await client.patch(f"/api/issues/{c1['id']}", json={"status": "done"})
    assert len(await factory.wakeups(team.a1["id"])) == base
    await client.patch(f"/api/issues/{c2['id']}", json={"status": "cancelled"})
    wakes = await factory.wakeups(team.a1["id"])
    assert len(wakes) == base + 1
    assert (wakes[-1].reason, wakes[-1].payload["issueId"]) == ("issue_children_completed", parent["id"])

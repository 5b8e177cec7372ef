"""The status machine (§7.1): timestamps, the assignee rule, agents' transitions, the board's freedom."""

from __future__ import annotations


async def test_board_moves_freely_and_timestamps_follow(client, api, team):
    issue = await api.issue(team.cid)
    url = f"/api/issues/{issue['id']}"
    done = (await client.patch(url, json={"status": "done"})).json()
    assert done["completedAt"] is not None and done["startedAt"] is None
    todo = (await client.patch(url, json={"status": "todo"})).json()
    assert todo["completedAt"] is None
    cancelled = (await client.patch(url, json={"status": "cancelled"})).json()
    assert cancelled["cancelledAt"] is not None
    r = await client.patch(url, json={"status": "in_progress"})
    assert r.status_code == 422 and r.json() == {"error": "in_progress issues require an assignee"}
    started = (
        await client.patch(url, json={"status": "in_progress", "assigneeAgentId": team.a2["id"]})
    ).json()
    assert started["startedAt"] is not None and started["cancelledAt"] is None
    review = (await client.patch(url, json={"status": "in_review"})).json()
    assert review["startedAt"] == started["startedAt"]
    back = (await client.patch(url, json={"status": "backlog"})).json()
    assert back["status"] == "backlog"


async def test_removing_the_assignee_of_an_in_progress_issue_is_422(client, api, team):
    issue = await api.issue(team.cid, assigneeAgentId=team.a1["id"], status="in_progress")
    r = await client.patch(f"/api/issues/{issue['id']}", json={"assigneeAgentId": None})
    assert r.status_code == 422


async def test_agents_cannot_patch_to_in_progress_and_follow_the_v1_table(client, api, team):
    issue = await api.issue(team.cid, assigneeAgentId=team.a1["id"], status="todo")
    url = f"/api/issues/{issue['id']}"
    r = await client.patch(url, headers=team.h1(), json={"status": "in_progress"})
    assert r.status_code == 422
    backlog = await api.issue(team.cid, assigneeAgentId=team.a1["id"], status="backlog")
    r = await client.patch(f"/api/issues/{backlog['id']}", headers=team.h1(), json={"status": "done"})
    assert r.status_code == 422 and r.json() == {"error": "Invalid status transition: backlog -> done"}
    r = await client.patch(f"/api/issues/{backlog['id']}", headers=team.h1(), json={"status": "todo"})
    assert r.status_code == 200
    r = await client.patch(url, headers=team.h1(), json={"status": "blocked"})
    assert r.status_code == 200 and r.json()["status"] == "blocked"
    # an agent creating an in_progress issue must check it out instead
    r = await client.post(
        f"/api/companies/{team.cid}/issues",
        headers=team.h1(),
        json={"title": "x", "status": "in_progress", "assigneeAgentId": team.a1["id"]},
    )
    assert r.status_code == 422


async def test_leaving_in_progress_drops_the_checkout_lock(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    r = await client.patch(f"/api/issues/{issue['id']}", headers=team.h1(), json={"status": "in_review"})
    assert r.status_code == 200
    assert (r.json()["checkoutRunId"], r.json()["executionRunId"]) == (None, None)
    assert r.json()["assigneeAgentId"] == team.a1["id"]


async def test_owner_without_lock_adopts_on_patch(client, api, team):
    """Board puts an issue in progress for A1 (no run); A1's run then owns it on its first change."""
    issue = await api.issue(team.cid, status="in_progress", assigneeAgentId=team.a1["id"])
    r = await client.patch(f"/api/issues/{issue['id']}", headers=team.h1(), json={"priority": "high"})
    assert r.status_code == 200, r.text
    assert r.json()["checkoutRunId"] == team.r1


async def test_board_checkout_and_release(client, api, team):
    issue = await api.issue(team.cid, status="backlog")
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        json={"agentId": team.a2["id"], "expectedStatuses": ["backlog"]},
    )
    assert (
        r.status_code == 200
        and r.json()["assigneeAgentId"] == team.a2["id"]
        and r.json()["checkoutRunId"] is None
    )
    r = await client.post(f"/api/issues/{issue['id']}/release")
    assert r.status_code == 200 and r.json()["status"] == "todo" and r.json()["assigneeAgentId"] is None


async def test_checkout_of_a_terminated_agent_is_422(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    zed = await api.agent(team.cid, "Zed")
    assert (await client.post(f"/api/agents/{zed['id']}/terminate")).status_code == 200
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout", json={"agentId": zed["id"], "expectedStatuses": ["todo"]}
    )
    assert r.status_code == 422

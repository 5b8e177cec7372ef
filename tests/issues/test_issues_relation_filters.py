"""The original's relational list filters are honoured, not ignored: participantAgentId, descendantOf,
createdFromIssueId (ignoring one answered every issue of the company: wrong data, not an error)."""

from __future__ import annotations


async def _titles(client, cid: str, **params) -> set[str]:
    response = await client.get(f"/api/companies/{cid}/issues", params=params)
    assert response.status_code == 200, response.text
    return {i["title"] for i in response.json()}


async def test_participant_agent_means_assigned_created_or_commented(api, team, client):
    a1 = team.a1["id"]
    await api.issue(team.cid, title="Assigned", assigneeAgentId=a1)
    await api.issue(team.cid, title="Created by agent", headers=team.h1())
    commented = await api.issue(team.cid, title="Commented")
    assert (
        await client.post(f"/api/issues/{commented['id']}/comments", json={"body": "hi"}, headers=team.h1())
    ).status_code == 201
    await api.issue(team.cid, title="Unrelated", assigneeAgentId=team.a2["id"])
    assert await _titles(client, team.cid, participantAgentId=a1) == {
        "Assigned",
        "Created by agent",
        "Commented",
    }
    assert (
        await client.get(f"/api/companies/{team.cid}/issues", params={"participantAgentId": "x"})
    ).status_code == 422


async def test_descendant_of_walks_the_whole_subtree(api, team, client):
    root = await api.issue(team.cid, title="Root")
    child = await api.issue(team.cid, title="Child", parentId=root["id"])
    await api.issue(team.cid, title="Grandchild", parentId=child["id"])
    await api.issue(team.cid, title="Elsewhere")
    assert await _titles(client, team.cid, descendantOf=root["id"]) == {"Child", "Grandchild"}
    assert await _titles(client, team.cid, descendantOf=child["id"]) == {"Grandchild"}


async def test_created_from_issue_matches_nothing_rather_than_everything(api, team, client):
    parent = await api.issue(team.cid, title="Parent")
    await api.issue(team.cid, title="Kid", parentId=parent["id"])
    assert await _titles(client, team.cid, createdFromIssueId=parent["id"]) == set()
    assert (
        await client.get(f"/api/companies/{team.cid}/issues", params={"createdFromIssueId": "nope"})
    ).status_code == 422

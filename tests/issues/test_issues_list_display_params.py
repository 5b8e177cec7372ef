"""The board's issue-list parameters (sortField, sortDir, includeBlockedBy, includeLiveDescendantSummary,
includeRoutineExecutions, view=compact) are honoured as the original answers them, and bad values are
refused with the original's messages — never accepted and ignored."""

from __future__ import annotations

import pytest


async def _list(client, cid: str, **params) -> list[dict]:
    response = await client.get(f"/api/companies/{cid}/issues", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _three(api, client, cid: str) -> dict[str, dict]:
    made = {}
    for title, priority in (("Alpha", "low"), ("Beta", "high"), ("Gamma", "medium")):
        made[title] = await api.issue(cid, title=title, priority=priority)
    return made


async def test_sort_by_updated_and_id_with_their_default_directions(api, team, client):
    made = await _three(api, client, team.cid)
    # touch Alpha last so that updated order differs from creation and priority order
    assert (
        await client.patch(f"/api/issues/{made['Alpha']['id']}", json={"description": "touched"})
    ).status_code == 200
    by_priority = [i["title"] for i in await _list(client, team.cid)]
    assert by_priority == ["Beta", "Gamma", "Alpha"]
    updated_desc = [i["title"] for i in await _list(client, team.cid, sortField="updated")]
    assert updated_desc[0] == "Alpha"
    assert [
        i["title"] for i in await _list(client, team.cid, sortField="updated", sortDir="asc")
    ] == updated_desc[::-1]
    ids = sorted(m["id"] for m in made.values())
    assert [i["id"] for i in await _list(client, team.cid, sortField="id")] == ids  # id: ascending by default
    assert [i["id"] for i in await _list(client, team.cid, sortField="id", sortDir="desc")] == ids[::-1]
    # sortDir without sortField leaves the priority order (as the original does)
    assert [i["title"] for i in await _list(client, team.cid, sortDir="asc")] == by_priority


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sortField": "title"}, "sortField must be 'updated' or 'id' when provided"),
        ({"sortDir": "up"}, "sortDir must be 'asc' or 'desc' when provided"),
        ({"view": "full"}, "view must be 'compact' when provided"),
        (
            {"includeLiveDescendantSummary": "TRUE"},
            "includeLiveDescendantSummary must be true or false when provided",
        ),
    ],
)
async def test_bad_values_are_refused_naming_the_parameter(team, client, params, message):
    response = await client.get(f"/api/companies/{team.cid}/issues", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == message


async def test_include_blocked_by_adds_each_items_blockers(api, team, client):
    blocker = await api.issue(team.cid, title="Blocker", priority="low")
    blocked = await api.issue(team.cid, title="Blocked", blockedByIssueIds=[blocker["id"]])
    rows = {i["title"]: i for i in await _list(client, team.cid, includeBlockedBy="true")}
    assert rows["Blocker"]["blockedBy"] == []
    assert rows["Blocked"]["blockedBy"] == [
        {
            "id": blocker["id"],
            "identifier": blocker["identifier"],
            "title": "Blocker",
            "status": "backlog",
            "priority": "low",
            "assigneeAgentId": None,
            "assigneeUserId": None,
        }
    ]
    assert blocked["id"] == rows["Blocked"]["id"]
    # absent or not "true": the plain row (the original treats other values as false)
    assert all("blockedBy" not in i for i in await _list(client, team.cid))
    assert all("blockedBy" not in i for i in await _list(client, team.cid, includeBlockedBy="no"))
    assert all("blockedBy" not in i for i in await _list(client, team.cid, includeBlockedBy="TRUE"))
    assert all("blockedBy" in i for i in await _list(client, team.cid, includeBlockedBy="1"))


async def test_live_descendant_count_counts_subtree_issues_with_a_live_run(api, factory, team, client):
    root = await api.issue(team.cid, title="Root")
    child = await api.issue(team.cid, title="Child", parentId=root["id"])
    grandchild = await api.issue(team.cid, title="Grandchild", parentId=child["id"], status="todo")
    await api.issue(team.cid, title="Idle kid", parentId=root["id"], status="todo")
    counts = {
        i["title"]: i["liveDescendantCount"]
        for i in await _list(client, team.cid, includeLiveDescendantSummary="true")
    }
    assert counts == {"Root": 0, "Child": 0, "Grandchild": 0, "Idle kid": 0}
    response = await client.post(
        f"/api/issues/{grandchild['id']}/checkout",
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
        headers=team.h1(),
    )
    assert response.status_code == 200, response.text
    counts = {
        i["title"]: i["liveDescendantCount"]
        for i in await _list(client, team.cid, includeLiveDescendantSummary="true")
    }
    assert counts == {"Root": 1, "Child": 1, "Grandchild": 0, "Idle kid": 0}
    await factory.set_run_status(team.r1, "succeeded")
    counts = {
        i["title"]: i["liveDescendantCount"]
        for i in await _list(client, team.cid, includeLiveDescendantSummary="true")
    }
    assert counts["Root"] == 0
    assert all(
        "liveDescendantCount" not in i
        for i in await _list(client, team.cid, includeLiveDescendantSummary="false")
    )
    assert all(
        "liveDescendantCount" not in i
        for i in await _list(client, team.cid, includeLiveDescendantSummary="0")
    )
    assert all(
        "liveDescendantCount" in i for i in await _list(client, team.cid, includeLiveDescendantSummary="1")
    )


async def test_compact_view_is_the_row_without_hidden_at(api, team, client):
    await api.issue(team.cid, title="One")
    full = (await _list(client, team.cid))[0]
    compact = (await _list(client, team.cid, view="compact"))[0]
    assert "hiddenAt" in full
    # the original's compact row also has no descriptionTruncated (its description is still cut)
    assert compact == {k: v for k, v in full.items() if k not in ("hiddenAt", "descriptionTruncated")}
    both = (await _list(client, team.cid, view="compact", includeBlockedBy="true"))[0]
    assert both["blockedBy"] == [] and "hiddenAt" not in both


async def test_include_routine_executions_lists_the_same_issues(api, team, client):
    await _three(api, client, team.cid)
    plain = await _list(client, team.cid)
    assert await _list(client, team.cid, includeRoutineExecutions="true") == plain
    assert await _list(client, team.cid, includeRoutineExecutions="false") == plain

"""Accepted-plan decompositions through HTTP: refused until the plan revision has an accepted
confirmation, children created under the issue without waking assignees, a repeat answers the
recorded one, other children for the same revision are a 409, bad bodies name the field."""

from __future__ import annotations

import uuid


async def _plan(client, issue_id: str, body: str = "# Plan\n1. a\n2. b") -> str:
    r = await client.put(f"/api/issues/{issue_id}/documents/plan", json={"format": "markdown", "body": body})
    assert r.status_code in (200, 201), r.text
    return r.json()["latestRevisionId"]


async def _confirm(client, issue_id: str, revision_id: str, accept: bool = True) -> str:
    r = await client.post(
        f"/api/issues/{issue_id}/interactions",
        json={
            "kind": "request_confirmation",
            "payload": {
                "version": 1,
                "prompt": "Accept the plan?",
                "target": {"type": "issue_document", "key": "plan", "revisionId": revision_id},
            },
        },
    )
    assert r.status_code == 201, r.text
    interaction = r.json()["id"]
    if accept:
        r = await client.post(f"/api/issues/{issue_id}/interactions/{interaction}/accept", json={})
        assert r.status_code == 200, r.text
    return interaction


async def test_decomposition_after_an_accepted_plan(client, api, factory):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, "Builder")
    issue = await api.issue(cid, title="Big job")
    url = f"/api/issues/{issue['id']}/accepted-plan-decompositions"
    assert (await client.get(url)).json() == []
    revision = await _plan(client, issue["id"])
    children = [
        {"title": "Step A", "assigneeAgentId": agent["id"], "status": "todo"},
        {"title": "Step B", "description": "d", "priority": "high"},
    ]
    r = await client.post(url, json={"acceptedPlanRevisionId": revision, "children": children})
    assert (r.status_code, r.json()["error"]) == (
        422,
        "acceptedPlanRevisionId must have an accepted plan confirmation",
    )
    await _confirm(client, issue["id"], revision, accept=False)  # pending is not accepted
    r = await client.post(url, json={"acceptedPlanRevisionId": revision, "children": children})
    assert r.status_code == 422
    interaction = await _confirm(client, issue["id"], revision)

    r = await client.post(url, json={"acceptedPlanRevisionId": revision, "children": children})
    assert r.status_code == 200, r.text
    body = r.json()
    made = body["childIssueIds"]
    assert len(made) == 2 and body["newlyCreatedChildIssueIds"] == made
    d = body["decomposition"]
    assert (d["sourceIssueId"], d["acceptedPlanRevisionId"], d["acceptedInteractionId"]) == (
        issue["id"],
        revision,
        interaction,
    )
    assert (d["status"], d["requestedChildCount"], d["ownerUserId"]) == ("completed", 2, "local-board")
    step_a = (await client.get(f"/api/issues/{made[0]}")).json()
    assert (step_a["parentId"], step_a["status"], step_a["assigneeAgentId"]) == (
        issue["id"],
        "todo",
        agent["id"],
    )
    assert await factory.wakeups(agent["id"]) == []  # the plan's owner starts the children, not the create

    again = await client.post(url, json={"acceptedPlanRevisionId": revision, "children": children})
    assert again.status_code == 200 and again.json()["childIssueIds"] == made
    assert again.json()["newlyCreatedChildIssueIds"] == []
    other = await client.post(url, json={"acceptedPlanRevisionId": revision, "children": [{"title": "C"}]})
    assert (other.status_code, other.json()["error"]) == (
        409,
        "Accepted-plan decomposition already exists for this revision with a different child set",
    )

    listed = (await client.get(url)).json()
    assert len(listed) == 1 and listed[0]["acceptedPlanRevisionNumber"] == 1
    assert [(c["title"], c["priority"]) for c in listed[0]["childIssues"]] == [
        ("Step A", "medium"),
        ("Step B", "high"),
    ]
    actions = [a["action"] for a in (await client.get(f"/api/companies/{cid}/activity")).json()]
    assert actions.count("issue.accepted_plan_decomposition_updated") == 1
    children_listed = (
        await client.get(f"/api/companies/{cid}/issues", params={"parentId": issue["id"]})
    ).json()
    assert sorted(i["id"] for i in children_listed) == sorted(made)


async def test_bad_decomposition_requests(client, api):
    company = await api.company("Paperclip Labs")
    issue = await api.issue(company["id"], title="Job")
    other = await api.issue(company["id"], title="Other")
    url = f"/api/issues/{issue['id']}/accepted-plan-decompositions"
    foreign_revision = await _plan(client, other["id"])
    for body, field in (
        ({}, ["acceptedPlanRevisionId"]),
        ({"acceptedPlanRevisionId": "nope", "children": [{"title": "x"}]}, ["acceptedPlanRevisionId"]),
        ({"acceptedPlanRevisionId": foreign_revision, "children": []}, ["children"]),
        (
            {"acceptedPlanRevisionId": foreign_revision, "children": [{"title": 1}]},
            ["children", "0", "title"],
        ),
        (
            {"acceptedPlanRevisionId": foreign_revision, "children": [{"title": "x", "priority": "urgent"}]},
            ["children", "0", "priority"],
        ),
        ({"acceptedPlanRevisionId": foreign_revision, "children": [{"title": "x"}] * 51}, ["children"]),
    ):
        r = await client.post(url, json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["details"][0]["path"] == field, r.text
    for revision in (foreign_revision, str(uuid.uuid4())):
        r = await client.post(url, json={"acceptedPlanRevisionId": revision, "children": [{"title": "x"}]})
        assert (r.status_code, r.json()["error"]) == (
            422,
            "acceptedPlanRevisionId must belong to the source issue's plan document",
        )
    r = await client.get("/api/issues/00000000-0000-0000-0000-000000000000/accepted-plan-decompositions")
    assert r.status_code == 404
    # an accepted plan whose child names a missing agent: refused whole, nothing created
    revision = await _plan(client, issue["id"])
    await _confirm(client, issue["id"], revision)
    r = await client.post(
        url,
        json={
            "acceptedPlanRevisionId": revision,
            "children": [{"title": "ok"}, {"title": "bad", "assigneeAgentId": str(uuid.uuid4())}],
        },
    )
    assert 400 <= r.status_code < 500, r.text
    assert (await client.get(url)).json() == []
    listed = (
        await client.get(f"/api/companies/{company['id']}/issues", params={"parentId": issue["id"]})
    ).json()
    assert listed == []

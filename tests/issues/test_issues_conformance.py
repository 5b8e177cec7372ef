"""Conformance items #10-#23 of the core spec (§13), with agent keys and real heartbeat run ids."""

from __future__ import annotations


async def test_10_create_twice_gives_sequential_identifiers_and_defaults(client, team):
    first = await client.post(f"/api/companies/{team.cid}/issues", json={"title": "One"})
    second = await client.post(f"/api/companies/{team.cid}/issues", json={"title": "Two"})
    assert (first.status_code, second.status_code) == (201, 201)
    one, two = first.json(), second.json()
    assert (one["identifier"], two["identifier"]) == ("PAP-1", "PAP-2")
    assert (one["issueNumber"], two["issueNumber"]) == (1, 2)
    assert one["status"] == "backlog" and one["priority"] == "medium"
    assert one["createdByUserId"] == "local-board" and one["companyId"] == team.cid
    company = (await client.get(f"/api/companies/{team.cid}")).json()
    assert company["issueCounter"] == 2


async def test_11_get_by_identifier_is_the_same_issue_as_by_uuid(client, api, team):
    issue = await api.issue(team.cid, title="Find me")
    by_id = (await client.get(f"/api/issues/{issue['id']}")).json()
    by_ident = await client.get("/api/issues/PAP-1")
    assert by_ident.status_code == 200
    assert by_ident.json() == by_id
    lower = await client.get("/api/issues/pap-1")
    assert lower.status_code == 200 and lower.json()["id"] == issue["id"]
    assert (await client.get("/api/issues/PAP-99")).status_code == 404


async def test_12_checkout_by_agent_with_run(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo", "backlog"]},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "in_progress"
    assert body["assigneeAgentId"] == team.a1["id"]
    assert body["checkoutRunId"] == team.r1 and body["executionRunId"] == team.r1
    assert body["startedAt"] is not None
    activity = (await client.get(f"/api/issues/{issue['id']}/activity")).json()
    checked_out = [a for a in activity if a["action"] == "issue.checked_out"]
    assert (
        checked_out and checked_out[0]["actorType"] == "agent" and checked_out[0]["actorId"] == team.a1["id"]
    )
    assert checked_out[0]["runId"] == team.r1


async def test_13_same_agent_and_run_checkout_again_is_idempotent(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    body = {"agentId": team.a1["id"], "expectedStatuses": ["todo"]}
    first = await client.post(f"/api/issues/{issue['id']}/checkout", headers=team.h1(), json=body)
    again = await client.post(f"/api/issues/{issue['id']}/checkout", headers=team.h1(), json=body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["checkoutRunId"] == team.r1 and again.json()["startedAt"] == first.json()["startedAt"]


async def test_14_second_agent_gets_409_on_checkout_and_row_is_unchanged(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    before = (await client.get(f"/api/issues/{issue['id']}")).json()
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h2(),
        json={"agentId": team.a2["id"], "expectedStatuses": ["todo", "in_progress"]},
    )
    assert r.status_code == 409
    assert r.json() == {
        "error": "Issue checkout conflict",
        "details": {
            "issueId": issue["id"],
            "status": "in_progress",
            "assigneeAgentId": team.a1["id"],
            "checkoutRunId": team.r1,
            "executionRunId": team.r1,
        },
    }
    assert (await client.get(f"/api/issues/{issue['id']}")).json() == before


async def test_15_agent_can_only_checkout_as_itself(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a2["id"], "expectedStatuses": ["todo"]},
    )
    assert r.status_code == 403
    assert r.json() == {"error": "Agent can only checkout as itself"}


async def test_16_checkout_with_status_outside_expected_is_409(client, api, team):
    issue = await api.issue(team.cid, status="done")
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo", "backlog"]},
    )
    assert r.status_code == 409
    assert r.json()["error"] == "Issue checkout conflict"
    assert r.json()["details"]["status"] == "done"


async def test_17_run_id_header_must_be_a_known_uuid(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    body = {"agentId": team.a1["id"], "expectedStatuses": ["todo"]}
    bad = await client.post(f"/api/issues/{issue['id']}/checkout", headers=team.h1("not-a-uuid"), json=body)
    assert bad.status_code == 400 and bad.json()["error"] == "Invalid X-Paperclip-Run-Id header"
    unknown = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1("00000000-0000-4000-8000-000000000000"),
        json=body,
    )
    assert unknown.status_code == 400 and unknown.json()["error"] == "Unknown X-Paperclip-Run-Id header"
    missing = await client.post(f"/api/issues/{issue['id']}/checkout", headers=team.h1(None), json=body)
    assert missing.status_code == 401 and missing.json() == {"error": "Agent run id required"}


async def test_18_stale_lock_is_adopted_by_a_new_run_of_the_same_agent(client, api, factory, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    await factory.set_run_status(team.r1, "failed")
    r1b = await factory.heartbeat_run(team.cid, team.a1["id"])
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(r1b),
        json={"agentId": team.a1["id"], "expectedStatuses": ["in_progress"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["checkoutRunId"] == r1b and r.json()["status"] == "in_progress"


async def test_18b_live_lock_of_another_run_is_not_adopted(client, api, factory, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    r1b = await factory.heartbeat_run(team.cid, team.a1["id"])
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(r1b),
        json={"agentId": team.a1["id"], "expectedStatuses": ["in_progress"]},
    )
    assert r.status_code == 409 and r.json()["details"]["checkoutRunId"] == team.r1


async def test_19_release_by_non_assignee_is_409(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    r = await client.post(f"/api/issues/{issue['id']}/release", headers=team.h2())
    assert r.status_code == 409
    assert r.json()["error"] == "Only assignee can release issue"


async def test_19b_release_by_another_live_run_of_the_assignee_is_409(client, api, factory, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    other_run = await factory.heartbeat_run(team.cid, team.a1["id"])
    r = await client.post(f"/api/issues/{issue['id']}/release", headers=team.h1(other_run))
    assert r.status_code == 409
    assert r.json()["error"] == "Only checkout run can release issue"


async def test_20_release_by_owner_clears_the_lock(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    r = await client.post(f"/api/issues/{issue['id']}/release", headers=team.h1())
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["assigneeAgentId"], body["checkoutRunId"], body["executionRunId"]) == (
        "todo",
        None,
        None,
        None,
    )
    actions = [a["action"] for a in (await client.get(f"/api/issues/{issue['id']}/activity")).json()]
    assert actions[0] == "issue.released"


async def test_21_owner_patch_to_done_with_comment(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    r = await client.patch(
        f"/api/issues/{issue['id']}", headers=team.h1(), json={"status": "done", "comment": "x"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "done" and body["completedAt"] is not None
    assert body["comment"]["body"] == "x" and body["comment"]["authorAgentId"] == team.a1["id"]
    assert body["comment"]["createdByRunId"] == team.r1
    assert body["changes"]["status"] == {"from": "in_progress", "to": "done"}
    comments = (await client.get(f"/api/issues/{issue['id']}/comments")).json()
    assert [c["body"] for c in comments] == ["x"]


async def test_21b_non_owner_agent_patch_on_in_progress_issue_is_409(client, api, factory, team):
    issue = await api.issue(team.cid, status="todo")
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        headers=team.h1(),
        json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]},
    )
    r = await client.patch(f"/api/issues/{issue['id']}", headers=team.h2(), json={"priority": "high"})
    assert r.status_code == 409 and r.json()["error"] == "Issue run ownership conflict"
    other_run = await factory.heartbeat_run(team.cid, team.a1["id"])
    r = await client.patch(
        f"/api/issues/{issue['id']}", headers=team.h1(other_run), json={"priority": "high"}
    )
    assert r.status_code == 409 and r.json()["error"] == "Issue run ownership conflict"
    r = await client.patch(f"/api/issues/{issue['id']}", headers=team.h1(None), json={"priority": "high"})
    assert r.status_code == 401 and r.json()["error"] == "Agent run id required"


async def test_22_mention_wakes_the_mentioned_agent(client, api, factory, team):
    issue = await api.issue(team.cid)
    r = await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "@Beta please review"})
    assert r.status_code == 201, r.text
    comment = r.json()
    wakes = await factory.wakeups(team.a2["id"])
    assert len(wakes) == 1
    wake = wakes[0]
    assert (wake.source, wake.reason) == ("automation", "issue_comment_mentioned")
    assert wake.payload == {"issueId": issue["id"], "commentId": comment["id"]}
    assert await factory.wakeups(team.a1["id"]) == []


async def test_23_assignment_wakes_unless_backlog(client, api, factory, team):
    issue = await api.issue(team.cid)
    r = await client.patch(
        f"/api/issues/{issue['id']}", json={"assigneeAgentId": team.a2["id"], "status": "todo"}
    )
    assert r.status_code == 200, r.text
    wakes = await factory.wakeups(team.a2["id"])
    assert [(w.source, w.reason, w.payload) for w in wakes] == [
        ("assignment", "issue_assigned", {"issueId": issue["id"], "mutation": "update"})
    ]
    other = await api.issue(team.cid)
    r = await client.patch(
        f"/api/issues/{other['id']}", json={"assigneeAgentId": team.a1["id"], "status": "backlog"}
    )
    assert r.status_code == 200
    assert await factory.wakeups(team.a1["id"]) == []


async def test_23b_leaving_the_backlog_wakes_the_assignee(client, api, factory, team):
    issue = await api.issue(team.cid, assigneeAgentId=team.a1["id"], status="backlog")
    assert await factory.wakeups(team.a1["id"]) == []
    await client.patch(f"/api/issues/{issue['id']}", json={"status": "todo"})
    wakes = await factory.wakeups(team.a1["id"])
    assert [(w.source, w.reason, w.payload["issueId"]) for w in wakes] == [
        ("automation", "issue_status_changed", issue["id"])
    ]

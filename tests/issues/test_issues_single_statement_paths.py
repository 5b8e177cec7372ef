"""Behaviour of the hot paths that decide, change and log in one SQL statement (checkout, comments,
lists): the same results, activity and refusals as the step-by-step code they replaced."""

from __future__ import annotations


async def _activity(client, issue_id: str) -> list[dict]:
    return (await client.get(f"/api/issues/{issue_id}/activity")).json()


async def test_checkout_name_key_is_python_strip_lower_also_outside_ascii(client, api):
    company = await api.company("Keys Co")
    ascii_agent = await api.agent(company["id"], "  Mixed Case Bot ")
    umlaut_agent = await api.agent(company["id"], "Ärger ÜBER Straße")
    for agent in (ascii_agent, umlaut_agent):
        issue = await api.issue(company["id"], status="todo")
        r = await client.post(
            f"/api/issues/{issue['id']}/checkout", json={"agentId": agent["id"], "expectedStatuses": ["todo"]}
        )
        assert r.status_code == 200, r.text
        expected = agent["name"].strip().lower()
        assert r.json()["executionAgentNameKey"] == expected
        stored = (await client.get(f"/api/issues/{issue['id']}")).json()
        assert stored["executionAgentNameKey"] == expected
        assert {k: v for k, v in r.json().items() if k in stored} == {k: stored[k] for k in r.json()}


async def test_checkout_by_identifier_logs_one_entry_with_agent_and_identifier(client, api):
    company = await api.company("Ident Co")
    agent = await api.agent(company["id"], "Worker")
    label = (
        await client.post(f"/api/companies/{company['id']}/labels", json={"name": "bug", "color": "#ff0000"})
    ).json()
    issue = await api.issue(company["id"], status="todo", labelIds=[label["id"]])
    r = await client.post(
        f"/api/issues/{issue['identifier'].lower()}/checkout",
        json={"agentId": agent["id"], "expectedStatuses": ["todo"]},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["assigneeAgentId"], body["labelIds"]) == (
        "in_progress",
        agent["id"],
        [label["id"]],
    )
    assert body["labels"][0]["name"] == "bug" and body["startedAt"] is not None
    entries = [a for a in await _activity(client, issue["id"]) if a["action"] == "issue.checked_out"]
    assert len(entries) == 1
    assert entries[0]["details"] == {"agentId": agent["id"], "identifier": issue["identifier"]}
    assert entries[0]["actorType"] == "user"


async def test_idempotent_checkout_logs_again_and_keeps_started_at(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    body = {"agentId": team.a1["id"], "expectedStatuses": ["todo"]}
    first = await client.post(f"/api/issues/{issue['id']}/checkout", headers=team.h1(), json=body)
    again = await client.post(f"/api/issues/{issue['id']}/checkout", headers=team.h1(), json=body)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    entries = [a for a in await _activity(client, issue["id"]) if a["action"] == "issue.checked_out"]
    assert len(entries) == 2


async def test_refused_checkouts_change_nothing_and_log_nothing(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    before = (await client.get(f"/api/issues/{issue['id']}")).json()
    cases = [
        (team.hx(), {"agentId": team.x["id"], "expectedStatuses": ["todo"]}, 403),  # another company's key
        ({}, {"agentId": team.x["id"], "expectedStatuses": ["todo"]}, 422),  # agent of another company
        ({}, {"agentId": "00000000-0000-4000-8000-000000000000", "expectedStatuses": ["todo"]}, 404),
        (team.h1(), {"agentId": team.a2["id"], "expectedStatuses": ["todo"]}, 403),  # not as itself
        (team.h1(None), {"agentId": team.a1["id"], "expectedStatuses": ["todo"]}, 401),  # no run id
        ({}, {"agentId": team.a1["id"], "expectedStatuses": ["backlog"]}, 409),
    ]
    for headers, body, status in cases:
        r = await client.post(f"/api/issues/{issue['id']}/checkout", headers=headers, json=body)
        assert r.status_code == status, (body, r.text)
    assert (await client.get(f"/api/issues/{issue['id']}")).json() == before
    assert not [a for a in await _activity(client, issue["id"]) if a["action"] == "issue.checked_out"]
    missing = await client.post(
        "/api/issues/NOPE-999/checkout", json={"agentId": team.a1["id"], "expectedStatuses": ["todo"]}
    )
    assert missing.status_code == 404 and missing.json() == {"error": "Issue not found"}


async def test_terminated_agent_cannot_check_out(client, api, team):
    issue = await api.issue(team.cid, status="todo")
    agent = await api.agent(team.cid, "Leaver")
    assert (await client.post(f"/api/agents/{agent['id']}/terminate")).status_code == 200
    r = await client.post(
        f"/api/issues/{issue['id']}/checkout", json={"agentId": agent["id"], "expectedStatuses": ["todo"]}
    )
    assert r.status_code == 422 and r.json() == {
        "error": "Cannot assign work to an agent with status terminated"
    }
    assert (await client.get(f"/api/issues/{issue['id']}")).json()["status"] == "todo"


async def test_comment_activity_details_are_redacted_like_every_entry(client, api):
    company = await api.company("Secret Co")
    token = "pcp_" + "a1b2c3d4" * 4
    issue = await api.issue(company["id"], title=f"Rotate {token} today")
    body = "x" * 200 + " Bearer abcdefghijklmnop" + " tail" * 20  # the snippet is the first 240 characters
    r = await client.post(f"/api/issues/{issue['id']}/comments", json={"body": body})
    assert r.status_code == 201, r.text
    comment = r.json()
    assert comment["body"] == body and comment["authorType"] == "user" and comment["issueId"] == issue["id"]
    entry = next(a for a in await _activity(client, issue["id"]) if a["action"] == "issue.comment_added")
    assert entry["entityId"] == issue["id"] and entry["actorType"] == "user"
    assert entry["details"] == {
        "commentId": comment["id"],
        "identifier": issue["identifier"],
        "issueTitle": "Rotate ***REDACTED*** today",
        "bodySnippet": "x" * 200 + " Bearer ***REDACTED***" + body[224:240],
    }
    assert (await client.get(f"/api/issues/{issue['id']}/comments/{comment['id']}")).json() == comment


async def test_comment_by_identifier_from_an_agent_wakes_assignee_and_mentioned(client, api, factory, team):
    issue = await api.issue(team.cid, status="todo", assigneeAgentId=team.a2["id"])
    before = len(await factory.wakeups(team.a2["id"]))
    r = await client.post(
        f"/api/issues/{issue['identifier']}/comments",
        headers=team.h1(),
        json={"body": "@alpha bot and @Beta: look"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["authorAgentId"] == team.a1["id"] and r.json()["createdByRunId"] == team.r1
    assert len(await factory.wakeups(team.a2["id"])) == before + 1  # once, although assignee and mentioned
    assert not [
        w for w in await factory.wakeups(team.a1["id"]) if w.reason and w.reason.startswith("issue_comment")
    ]


async def test_comment_from_another_company_stores_nothing(client, api, team):
    issue = await api.issue(team.cid)
    r = await client.post(f"/api/issues/{issue['id']}/comments", headers=team.hx(), json={"body": "hi"})
    assert r.status_code == 403
    assert (await client.get(f"/api/issues/{issue['id']}/comments")).json() == []
    assert not [a for a in await _activity(client, issue["id"]) if a["action"] == "issue.comment_added"]
    missing = await client.post("/api/issues/ZZZ-1/comments", json={"body": "hi"})
    assert missing.status_code == 404 and missing.json() == {"error": "Issue not found"}


async def test_list_renders_labels_only_where_attached_and_matches_get(client, api):
    plain = await api.company("No Labels Co")
    labelled = await api.company("Labels Co")
    zeta = (
        await client.post(
            f"/api/companies/{labelled['id']}/labels", json={"name": "zeta", "color": "#000000"}
        )
    ).json()
    alpha = (
        await client.post(
            f"/api/companies/{labelled['id']}/labels", json={"name": "alpha", "color": "#ffffff"}
        )
    ).json()
    both = await api.issue(labelled["id"], title="both", labelIds=[zeta["id"], alpha["id"]])
    none = await api.issue(labelled["id"], title="none")
    bare = await api.issue(plain["id"], title="bare")
    page = (await client.get(f"/api/companies/{labelled['id']}/issues")).json()
    by_title = {i["title"]: i for i in page}
    assert [label["name"] for label in by_title["both"]["labels"]] == ["alpha", "zeta"]
    assert by_title["both"]["labelIds"] == [alpha["id"], zeta["id"]]
    assert by_title["none"]["labels"] == [] and by_title["none"]["labelIds"] == []
    assert (await client.get(f"/api/companies/{plain['id']}/issues")).json()[0]["labels"] == []
    for issue in (both, none, bare):
        detail = (await client.get(f"/api/issues/{issue['id']}")).json()
        company = labelled if issue is not bare else plain
        listed = next(
            i
            for i in (await client.get(f"/api/companies/{company['id']}/issues")).json()
            if i["id"] == issue["id"]
        )
        assert listed.pop("descriptionTruncated") is False  # list items only
        assert listed == {k: detail[k] for k in listed}
        assert list(listed) == [k for k in detail if k in listed]  # same field order as the detail view


async def test_get_renders_the_same_detail_as_patch_responses(client, api, team):
    cid = team.cid
    goal = (await client.post(f"/api/companies/{cid}/goals", json={"title": "Grow", "level": "team"})).json()
    project = (
        await client.post(f"/api/companies/{cid}/projects", json={"name": "Apollo", "goalId": goal["id"]})
    ).json()
    label = (
        await client.post(f"/api/companies/{cid}/labels", json={"name": "ops", "color": "#00ff00"})
    ).json()
    root = await api.issue(cid, title="root", projectId=project["id"])
    middle = await api.issue(cid, title="middle", parentId=root["id"])
    blocker = await api.issue(cid, title="blocker")
    leaf = await api.issue(
        cid,
        title="leaf",
        parentId=middle["id"],
        projectId=project["id"],
        goalId=goal["id"],
        labelIds=[label["id"]],
        blockedByIssueIds=[blocker["id"]],
        assigneeAgentId=team.a1["id"],
    )
    for issue in (root, leaf, blocker):
        patched = await client.patch(f"/api/issues/{issue['id']}", json={"priority": "high"})
        assert patched.status_code == 200, patched.text
        expected = {k: v for k, v in patched.json().items() if k not in ("changes", "comment")}
        got = await client.get(f"/api/issues/{issue['identifier']}")
        assert got.status_code == 200 and got.headers["content-type"] == "application/json"
        assert got.json() == expected
        assert list(got.json()) == list(expected)
    detail = (await client.get(f"/api/issues/{leaf['id']}")).json()
    assert [a["title"] for a in detail["ancestors"]] == ["middle", "root"]
    assert detail["ancestors"][1]["project"] == {
        "id": project["id"],
        "name": "Apollo",
        "status": project["status"],
    }
    assert detail["blockedByIssueIds"] == [blocker["id"]] and detail["labelIds"] == [label["id"]]
    assert detail["project"]["id"] == project["id"] and detail["goal"]["id"] == goal["id"]
    assert (await client.get(f"/api/issues/{blocker['id']}")).json()["blocks"][0]["id"] == leaf["id"]
    assert (await client.get("/api/issues/NOPE-404")).status_code == 404
    assert (await client.get(f"/api/issues/{leaf['id']}", headers=team.hx())).status_code == 403


async def test_list_filters_by_label_user_origin_goal_and_project(client, api, team):
    cid, url = team.cid, f"/api/companies/{team.cid}/issues"
    bug = (await client.post(f"/api/companies/{cid}/labels", json={"name": "Bug", "color": "#ff0000"})).json()
    goal = (await client.post(f"/api/companies/{cid}/goals", json={"title": "G", "level": "team"})).json()
    project = (await client.post(f"/api/companies/{cid}/projects", json={"name": "P"})).json()
    labelled = await api.issue(cid, title="labelled", labelIds=[bug["id"]])
    mine = await api.issue(cid, title="mine", assigneeUserId="local-board", goalId=goal["id"])
    planned = await api.issue(cid, title="planned", projectId=project["id"])
    hidden_term = await api.issue(cid, title="under_score 50%")

    async def ids(**params) -> set[str]:
        r = await client.get(url, params=params)
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()}

    assert await ids(labelId=bug["id"]) == {labelled["id"]}
    assert await ids(label=" bug ") == {labelled["id"]}
    assert await ids(assigneeUserId="me") == {mine["id"]}
    assert await ids(assigneeUserId="local-board") == {mine["id"]}
    assert mine["id"] not in await ids(assigneeUserId="null")
    assert await ids(goalId=goal["id"]) == {mine["id"]}
    assert await ids(projectId=project["id"]) == {planned["id"]}
    assert planned["id"] not in await ids(projectId="null")
    assert await ids(q="_score 50%") == {hidden_term["id"]}
    assert await ids(originKind="nothing-like-this") == set()
    assert await ids(status="todo", assigneeUserId="me") == {mine["id"]}
    bad = await client.get(url, params={"projectId": "nope"})
    assert bad.status_code == 422 and bad.json()["error"] == "projectId must be a UUID or 'null'"
    assert (await client.get(url, params={"labelId": "nope"})).status_code == 422
    assert (await client.get("/api/companies/00000000-0000-4000-8000-000000000000/issues")).status_code == 404

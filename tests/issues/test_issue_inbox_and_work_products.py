"""Read marks, inbox archives, the inbox filters of the issue list, `GET /agents/me/inbox/mine` and work
products, through HTTP against the real PostgreSQL (statuses, bodies and activity as the original's)."""

from __future__ import annotations

import asyncio


async def _actions(client, issue_id: str) -> list[tuple[str, dict]]:
    return [
        (a["action"], a["details"]) for a in (await client.get(f"/api/issues/{issue_id}/activity")).json()
    ]


async def test_read_marks_are_per_user_board_only_and_logged(client, team, api):
    issue = await api.issue(team.cid, title="Read me")
    first = await client.post(f"/api/issues/{issue['id']}/read")
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"id", "companyId", "issueId", "userId", "lastReadAt", "createdAt", "updatedAt"}
    assert body["userId"] == "local-board" and body["issueId"] == issue["id"]
    again = (await client.post(f"/api/issues/{issue['id']}/read")).json()
    assert (
        again["id"] == body["id"] and again["lastReadAt"] >= body["lastReadAt"]
    )  # one row per user, moved on

    agent = await client.post(f"/api/issues/{issue['id']}/read", headers=team.h1())
    assert agent.status_code == 403 and agent.json()["error"] == "Board authentication required"

    removed = await client.delete(f"/api/issues/{issue['id']}/read")
    assert removed.json() == {"id": issue["id"], "removed": True}
    assert (await client.delete(f"/api/issues/{issue['id']}/read")).json() == {
        "id": issue["id"],
        "removed": False,
    }
    actions = await _actions(client, issue["id"])
    assert [a for a, _ in actions].count("issue.read_marked") == 2
    assert [a for a, _ in actions].count("issue.read_unmarked") == 2
    marked = next(d for a, d in actions if a == "issue.read_marked")
    assert marked["userId"] == "local-board" and marked["lastReadAt"]

    missing = await client.post("/api/issues/00000000-0000-0000-0000-000000000000/read")
    assert missing.status_code == 404 and missing.json()["error"] == "Issue not found"
    foreign = await api.issue(team.other_company["id"])
    assert (await client.post(f"/api/issues/{foreign['id']}/read", headers=team.h1())).status_code == 403


async def test_inbox_archive_unarchive_and_the_list_filters(client, team, api):
    cid = team.cid
    mine = await api.issue(cid, title="Mine")
    other = await api.issue(cid, title="Other", assigneeAgentId=team.a1["id"], status="todo")
    archived = await client.post(f"/api/issues/{mine['id']}/inbox-archive")
    assert archived.status_code == 200
    row = archived.json()
    assert (
        row["userId"] == "local-board"
        and row["archivedByActorType"] == "user"
        and row["archivedByAgentId"] is None
    )

    async def identifiers(**params) -> list[str]:
        response = await client.get(f"/api/companies/{cid}/issues", params=params)
        assert response.status_code == 200, response.text
        return sorted(i["title"] for i in response.json())

    assert await identifiers(inboxArchivedByUserId="me") == ["Other"]
    assert await identifiers(inboxArchivedByUserId="local-board") == ["Other"]
    assert await identifiers(touchedByUserId="me") == ["Mine", "Other"]  # the board created both
    assert await identifiers(touchedByUserId="someone-else") == []

    # unread: someone else (an agent) commented after the user's last touch
    assert await identifiers(unreadForUserId="me") == []
    comment = await client.post(
        f"/api/issues/{other['id']}/comments", json={"body": "done?"}, headers=team.h1()
    )
    assert comment.status_code == 201, comment.text
    assert await identifiers(unreadForUserId="me") == ["Other"]
    await client.post(f"/api/issues/{other['id']}/read")
    assert await identifiers(unreadForUserId="me") == []

    unarchived = await client.delete(f"/api/issues/{mine['id']}/inbox-archive")
    assert unarchived.status_code == 200 and unarchived.json()["id"] == row["id"]
    assert await identifiers(inboxArchivedByUserId="me") == ["Mine", "Other"]
    nothing = await client.delete(f"/api/issues/{mine['id']}/inbox-archive")
    assert nothing.json() == {"ok": True, "userId": "local-board"}
    actions = [a for a, _ in await _actions(client, mine["id"])]
    assert actions.count("issue.inbox_archived") == 1 and actions.count("issue.inbox_unarchived") == 2

    # an agent archives for the issue's responsible user (the board user who created it)
    by_agent = await client.post(f"/api/issues/{mine['id']}/inbox-archive", headers=team.h1())
    assert by_agent.status_code == 200
    assert by_agent.json()["archivedByActorType"] == "agent"
    assert by_agent.json()["archivedByAgentId"] == team.a1["id"]
    assert by_agent.json()["archivedByRunId"] == team.r1
    assert by_agent.json()["userId"] == "local-board"
    agents_issue = await api.issue(cid, headers=team.h1(), title="By an agent")
    refused = await client.post(f"/api/issues/{agents_issue['id']}/inbox-archive", headers=team.h1())
    assert refused.status_code == 422


async def test_inbox_mine_is_the_users_inbox_seen_by_an_agent(client, team, api):
    cid = team.cid
    first = await api.issue(cid, title="First", status="todo")
    second = await api.issue(cid, title="Second", status="done")
    await api.issue(cid, headers=team.h1(), title="Agent made")  # not touched by the user
    await client.post(f"/api/issues/{second['id']}/inbox-archive")

    board = await client.get("/api/agents/me/inbox/mine", params={"userId": "local-board"})
    assert board.status_code == 401 and board.json()["error"] == "Agent authentication required"
    no_user = await client.get("/api/agents/me/inbox/mine", headers=team.h1())
    assert no_user.status_code == 400 and no_user.json()["error"] == "Validation error"

    await client.post(f"/api/issues/{first['id']}/comments", json={"body": "ping"}, headers=team.h2())
    inbox = (
        await client.get("/api/agents/me/inbox/mine", params={"userId": "local-board"}, headers=team.h1())
    ).json()
    assert [i["title"] for i in inbox] == ["First"]
    item = inbox[0]
    assert item["identifier"] == first["identifier"] and item["isUnreadForMe"] is True
    assert item["lastExternalCommentAt"] and item["myLastTouchAt"]
    filtered = await client.get(
        "/api/agents/me/inbox/mine",
        params={"userId": "local-board", "status": "done,cancelled"},
        headers=team.h1(),
    )
    assert filtered.json() == []
    other_company = await client.get(
        "/api/agents/me/inbox/mine", params={"userId": "local-board"}, headers=team.hx()
    )
    assert other_company.json() == []  # the agent's own company only


async def test_work_products_crud_primary_per_type_and_activity(client, team, api):
    issue = await api.issue(team.cid, title="Ship it")
    url = f"/api/issues/{issue['id']}/work-products"
    assert (await client.get(url)).json() == []

    empty = await client.post(url, json={})
    assert empty.status_code == 400
    assert {tuple(d["path"]) for d in empty.json()["details"]} >= {("type",), ("provider",), ("title",)}
    bad = await client.post(
        url,
        json={
            "type": "pull_request",
            "provider": "github",
            "title": "PR",
            "url": "not a url",
            "status": "weird",
        },
    )
    assert bad.status_code == 400
    assert {tuple(d["path"]) for d in bad.json()["details"]} == {("url",), ("status",)}

    pr1 = await client.post(
        url,
        json={
            "type": "pull_request",
            "provider": "github",
            "title": "PR 1",
            "url": "https://github.com/x/y/pull/1",
            "isPrimary": True,
        },
    )
    assert pr1.status_code == 201, pr1.text
    body = pr1.json()
    assert body["status"] == "active" and body["reviewState"] == "none" and body["healthStatus"] == "unknown"
    assert body["isPrimary"] is True and body["metadata"] is None and body["createdByRunId"] is None
    # an agent's work product records its run
    branch = await client.post(
        url,
        json={"type": "branch", "provider": "git", "title": "feature", "isPrimary": True},
        headers=team.h1(),
    )
    assert branch.status_code == 201 and branch.json()["createdByRunId"] == team.r1
    pr2 = (
        await client.post(
            url, json={"type": "pull_request", "provider": "github", "title": "PR 2", "isPrimary": True}
        )
    ).json()
    listed = (await client.get(url)).json()
    primaries = {p["title"]: p["isPrimary"] for p in listed}
    assert primaries == {"PR 1": False, "PR 2": True, "feature": True}  # one primary per type
    assert listed[-1]["title"] == "PR 1"

    patched = await client.patch(
        f"/api/work-products/{body['id']}", json={"status": "merged", "summary": "s", "metadata": {"a": 1}}
    )
    assert patched.status_code == 200
    assert patched.json()["status"] == "merged" and patched.json()["metadata"] == {"a": 1}
    wrong = await client.patch(
        f"/api/work-products/{body['id']}", json={"reviewState": "x", "isPrimary": "z"}
    )
    assert wrong.status_code == 400
    deleted = await client.delete(f"/api/work-products/{pr2['id']}")
    assert deleted.status_code == 200 and deleted.json()["id"] == pr2["id"]
    gone = await client.delete(f"/api/work-products/{pr2['id']}")
    assert gone.status_code == 404 and gone.json()["error"] == "Work product not found"
    assert (await client.patch("/api/work-products/nope", json={})).status_code == 404

    foreign = await client.get(url, headers=team.hx())
    assert foreign.status_code == 403
    actions = await _actions(client, issue["id"])
    names = [a for a, _ in actions]
    assert names.count("issue.work_product_created") == 3
    updated = next(d for a, d in actions if a == "issue.work_product_updated")
    assert updated == {"changedKeys": ["metadata", "status", "summary"], "workProductId": body["id"]}
    assert ("issue.work_product_deleted", {"type": "pull_request", "workProductId": pr2["id"]}) in actions


async def test_racing_primaries_leave_exactly_one(client, team, api):
    issue = await api.issue(team.cid, title="Race")
    url = f"/api/issues/{issue['id']}/work-products"
    responses = await asyncio.gather(
        *(
            client.post(
                url,
                json={
                    "type": "preview_url",
                    "provider": "vercel",
                    "title": f"preview {n}",
                    "isPrimary": True,
                },
            )
            for n in range(6)
        )
    )
    assert all(r.status_code == 201 for r in responses)
    assert sum(p["isPrimary"] for p in (await client.get(url)).json()) == 1

"""Comments: list (after/order/limit), add, get, delete; who a comment wakes; @-mentions; reopen."""

from __future__ import annotations


async def test_comment_crud_and_listing(client, api, team):
    issue = await api.issue(team.cid)
    url = f"/api/issues/{issue['id']}/comments"
    created = []
    for n in range(3):
        r = await client.post(url, json={"body": f"c{n}"})
        assert r.status_code == 201, r.text
        created.append(r.json())
    first = created[0]
    assert (first["issueId"], first["companyId"], first["authorUserId"], first["authorAgentId"]) == (
        issue["id"],
        team.cid,
        "local-board",
        None,
    )
    assert [c["body"] for c in (await client.get(url)).json()] == ["c2", "c1", "c0"]
    assert [c["body"] for c in (await client.get(url, params={"order": "asc"})).json()] == ["c0", "c1", "c2"]
    assert [c["body"] for c in (await client.get(url, params={"order": "asc", "limit": 1})).json()] == ["c0"]
    after = (await client.get(url, params={"after": first["id"], "order": "asc"})).json()
    assert [c["body"] for c in after] == ["c1", "c2"]
    assert (await client.get(url, params={"after": "nope"})).json() == []
    assert (await client.get(url, params={"limit": 0})).status_code == 400
    one = await client.get(f"{url}/{first['id']}")
    assert one.status_code == 200 and one.json() == first
    assert (await client.get(f"{url}/00000000-0000-4000-8000-000000000000")).status_code == 404
    by_agent = (await client.post(url, headers=team.h1(), json={"body": "from agent"})).json()
    assert by_agent["authorAgentId"] == team.a1["id"] and by_agent["createdByRunId"] == team.r1
    r = await client.delete(f"{url}/{by_agent['id']}")
    assert r.status_code == 403 and r.json() == {"error": "Only the comment author can delete comments"}
    assert (await client.delete(f"{url}/{by_agent['id']}", headers=team.h1())).status_code == 200
    assert (await client.delete(f"{url}/{first['id']}")).status_code == 200
    assert (await client.get(f"{url}/{first['id']}")).status_code == 404
    activity = [a["action"] for a in (await client.get(f"/api/issues/{issue['id']}/activity")).json()]
    assert activity.count("issue.comment_added") == 4
    r = await client.post(url, json={"body": ""})
    assert r.status_code == 400 and r.json()["error"] == "Validation error"


async def test_comment_wakes_the_assignee_unless_it_is_the_author(client, api, factory, team):
    issue = await api.issue(team.cid, assigneeAgentId=team.a1["id"], status="backlog")
    r = await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "any news?"})
    comment = r.json()
    wakes = await factory.wakeups(team.a1["id"])
    assert [(w.source, w.reason, w.payload) for w in wakes] == [
        ("automation", "issue_commented", {"issueId": issue["id"], "commentId": comment["id"]})
    ]
    await client.post(
        f"/api/issues/{issue['id']}/comments", headers=team.h1(), json={"body": "working on it"}
    )
    assert len(await factory.wakeups(team.a1["id"])) == 1


async def test_mentions_multi_word_case_insensitive_no_duplicates_no_self(client, api, factory, team):
    gamma = await api.agent(team.cid, "Gamma Ray")
    issue = await api.issue(team.cid, assigneeAgentId=team.a2["id"], status="backlog")
    body = "@alpha bot and @GAMMA RAY, also @beta and again @Alpha Bot; not @Alphabet nor email@beta"
    r = await client.post(f"/api/issues/{issue['id']}/comments", headers=team.h1(), json={"body": body})
    comment = r.json()
    a1_wakes = await factory.wakeups(team.a1["id"])
    assert a1_wakes == []  # the author is never woken by its own comment
    gamma_wakes = await factory.wakeups(gamma["id"])
    assert [(w.reason, w.payload) for w in gamma_wakes] == [
        ("issue_comment_mentioned", {"issueId": issue["id"], "commentId": comment["id"]})
    ]
    # Beta is the assignee *and* mentioned: one wake, as the assignee
    beta_wakes = await factory.wakeups(team.a2["id"])
    assert [w.reason for w in beta_wakes] == ["issue_commented"]


async def test_mention_wake_context(client, api, factory, team, app):
    import uuid

    import sqlalchemy as sa

    from paperclip.db.models import HeartbeatRun

    issue = await api.issue(team.cid)
    comment = (await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "ping @Beta"})).json()
    wake = (await factory.wakeups(team.a2["id"]))[0]
    assert (wake.source, wake.trigger_detail, wake.requested_by_actor_type) == (
        "automation",
        "system",
        "user",
    )
    if wake.run_id is not None:
        async with app.state.sessions() as session:
            snapshot = await session.scalar(
                sa.select(HeartbeatRun.context_snapshot).where(HeartbeatRun.id == uuid.UUID(str(wake.run_id)))
            )
        assert snapshot["issueId"] == issue["id"] and snapshot["commentId"] == comment["id"]
        assert snapshot["wakeCommentId"] == comment["id"]


async def test_paused_mentioned_agent_does_not_break_the_comment(client, api, team):
    issue = await api.issue(team.cid)
    assert (await client.post(f"/api/agents/{team.a2['id']}/pause")).status_code == 200
    r = await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "@Beta are you there"})
    assert r.status_code == 201


async def test_reopen_moves_a_terminal_issue_back_to_todo(client, api, team):
    issue = await api.issue(team.cid, status="done")
    r = await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "again", "reopen": True})
    assert r.status_code == 201
    reopened = (await client.get(f"/api/issues/{issue['id']}")).json()
    assert reopened["status"] == "todo" and reopened["completedAt"] is None

"""What an agent reads each wake: /agents/me/inbox-lite and /issues/:id/heartbeat-context."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from paperclip.db.models import HeartbeatRun


async def test_inbox_lists_the_agents_open_work_in_progress_first(api, team, client):
    a1 = team.a1["id"]
    todo = await api.issue(team.cid, title="Todo", status="todo", assigneeAgentId=a1)
    doing = await api.issue(team.cid, title="Doing", status="in_progress", assigneeAgentId=a1)
    blocker = await api.issue(team.cid, title="Blocker", status="todo")
    blocked = await api.issue(team.cid, title="Blocked", status="blocked", assigneeAgentId=a1)
    assert (
        await client.patch(f"/api/issues/{blocked['id']}", json={"blockedByIssueIds": [blocker["id"]]})
    ).status_code == 200
    for status in ("backlog", "in_review", "done", "cancelled"):
        await api.issue(team.cid, title=status, status=status, assigneeAgentId=a1)
    await api.issue(team.cid, title="Someone else's", status="todo", assigneeAgentId=team.a2["id"])

    response = await client.get("/api/agents/me/inbox-lite", headers=team.h1(run=None))
    assert response.status_code == 200, response.text
    inbox = response.json()
    assert [i["title"] for i in inbox][0] == "Doing"
    assert {i["title"] for i in inbox} == {"Todo", "Doing", "Blocked"}
    by_title = {i["title"]: i for i in inbox}
    assert by_title["Blocked"]["dependencyReady"] is False and by_title["Blocked"][
        "unresolvedBlockerIssueIds"
    ] == [blocker["id"]]
    assert by_title["Todo"] == {
        **by_title["Todo"],
        "dependencyReady": True,
        "unresolvedBlockerCount": 0,
        "id": todo["id"],
        "identifier": todo["identifier"],
        "activeRun": None,
    }
    assert by_title["Doing"]["id"] == doing["id"]

    # a blocker that is done no longer blocks
    assert (await client.patch(f"/api/issues/{blocker['id']}", json={"status": "done"})).status_code == 200
    again = {
        i["title"]: i
        for i in (await client.get("/api/agents/me/inbox-lite", headers=team.h1(run=None))).json()
    }
    assert again["Blocked"]["dependencyReady"] is True


async def test_inbox_is_for_agents(client, team):
    response = await client.get("/api/agents/me/inbox-lite")
    assert response.status_code == 401 and response.json()["error"] == "Agent authentication required"


async def test_heartbeat_context_carries_the_issue_the_cursor_and_the_waking_comment(api, team, client, app):
    issue = await api.issue(
        team.cid, title="Work", description="details", status="todo", assigneeAgentId=team.a1["id"]
    )
    await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "first"})
    second = (await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "please look"})).json()
    async with app.state.sessions() as session, session.begin():
        await session.execute(
            sa.update(HeartbeatRun)
            .where(HeartbeatRun.id == uuid.UUID(team.r1))
            .values(
                context_snapshot={
                    "issueId": issue["id"],
                    "wakeCommentId": second["id"],
                    "wakeReason": "issue_commented",
                }
            )
        )

    response = await client.get(f"/api/issues/{issue['identifier']}/heartbeat-context", headers=team.h1())
    assert response.status_code == 200, response.text
    context = response.json()
    assert context["issue"]["id"] == issue["id"] and context["issue"]["description"] == "details"
    assert context["issue"]["blockedBy"] == [] and context["issue"]["workMode"] == "standard"
    assert (
        context["commentCursor"]["totalComments"] == 2
        and context["commentCursor"]["latestCommentId"] == second["id"]
    )
    assert context["wakeComment"]["body"] == "please look"
    assert context["ancestors"] == [] and context["project"] is None and context["attachments"] == []

    assert (
        await client.get(f"/api/issues/{issue['id']}/heartbeat-context", headers=team.hx())
    ).status_code == 403
    assert (await client.get("/api/issues/NOPE-9/heartbeat-context", headers=team.h1())).status_code == 404


async def test_live_runs_and_the_active_run_of_an_issue(api, factory, team, client, app):
    from paperclip.db.models import Issue

    issue = await api.issue(team.cid, title="Busy", status="todo")  # no assignee: no wake-up run of its own
    assert (await client.get(f"/api/issues/{issue['id']}/live-runs")).json() == []
    assert (await client.get(f"/api/issues/{issue['id']}/active-run")).json() is None
    done = await factory.heartbeat_run(team.cid, team.a1["id"], status="succeeded")
    async with app.state.sessions() as session, session.begin():
        for run_id in (team.r1, done):
            await session.execute(
                sa.update(HeartbeatRun)
                .where(HeartbeatRun.id == uuid.UUID(run_id))
                .values(context_snapshot={"issueId": issue["id"]})
            )
        await session.execute(
            sa.update(Issue)
            .where(Issue.id == uuid.UUID(issue["id"]))
            .values(execution_run_id=uuid.UUID(team.r1))
        )
    live = (await client.get(f"/api/issues/{issue['id']}/live-runs")).json()
    assert [r["runId"] for r in live] == [team.r1]
    assert (await client.get(f"/api/issues/{issue['id']}/active-run")).json()["runId"] == team.r1
    assert {r["runId"] for r in (await client.get(f"/api/issues/{issue['id']}/runs")).json()} == {
        team.r1,
        done,
    }
    assert (await client.get(f"/api/issues/{issue['id']}/live-runs", headers=team.hx())).status_code == 403


async def test_agent_configurations_are_listed_redacted(api, client):
    company = await api.company("Config Co")
    await api.agent(
        company["id"],
        "Keeper",
        adapterConfig={"command": "true", "env": {"OPENAI_API_KEY": "sk-live-123456"}},
    )
    configs = (await client.get(f"/api/companies/{company['id']}/agent-configurations")).json()
    assert [c["name"] for c in configs] == ["Keeper"]
    assert "sk-live-123456" not in str(configs) and configs[0]["adapterConfig"]["command"] == "true"

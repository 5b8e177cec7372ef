"""GET /issues/{id}/runner-goal and /queued-comments: what the original answers for the same
adapters (none of ours keeps a steerable live session), tied to the issue's assignee and session."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from paperclip.db.models import AgentTaskSession


async def test_runner_goal_follows_the_assignee(client, app, api):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    unassigned = await api.issue(cid, title="Nobody")
    r = await client.get(f"/api/issues/{unassigned['id']}/runner-goal")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "issueId", "agentId", "adapterType", "sessionId", "capability", "goal",
        "workingNow", "activeRunId", "pendingAction", "revision", "observedAt",
    }  # fmt: skip
    assert (body["agentId"], body["adapterType"], body["capability"]["reasonCode"]) == (
        None,
        None,
        "no_agent_selected",
    )
    assert (
        body["capability"]["availability"] == "unsupported"
        and body["capability"]["maxObjectiveChars"] == 4000
    )

    proc = await api.agent(cid, "Proc")
    claude = await api.agent(cid, "Claude", adapterType="claude_local", adapterConfig={})
    on_proc = await api.issue(cid, title="P", assigneeAgentId=proc["id"])
    on_claude = await api.issue(cid, title="C", assigneeAgentId=claude["id"])
    body = (await client.get(f"/api/issues/{on_proc['identifier']}/runner-goal")).json()
    assert (body["agentId"], body["adapterType"]) == (proc["id"], "process")
    assert body["capability"]["reasonCode"] == "persistent_session_goal_extension_required"
    async with app.state.sessions() as s, s.begin():
        await s.execute(
            sa.insert(AgentTaskSession).values(
                company_id=uuid.UUID(cid),
                agent_id=uuid.UUID(claude["id"]),
                adapter_type="claude_local",
                task_key=on_claude["id"],
                session_display_id="sess-42",
            )
        )
    body = (await client.get(f"/api/issues/{on_claude['id']}/runner-goal")).json()
    assert body["capability"]["reasonCode"] == "direct_adapter_goal_controller_unavailable"
    assert body["sessionId"] == "sess-42"


async def test_queued_comments_is_the_empty_legacy_queue(client, api):
    company = await api.company("Paperclip Labs")
    issue = await api.issue(company["id"], title="Q")
    await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "steer this"})
    body = (await client.get(f"/api/issues/{issue['id']}/queued-comments")).json()
    assert body == {
        "issueId": issue["id"],
        "queueId": None,
        "state": None,
        "targetRunId": None,
        "revision": "5e99497165f934b249e2d2ffb7532e93",
        "protocol": "legacy",
        "steeringDisposition": "unsupported",
        "entries": [],
    }


async def test_unknown_and_foreign_issues_are_refused(client, api):
    mine, theirs = await api.company("Mine"), await api.company("Theirs")
    foreign = await api.issue(theirs["id"], title="Theirs")
    agent = await api.agent(mine["id"], "Nosy")
    headers = {"Authorization": f"Bearer {await api.agent_key(agent['id'])}"}
    for path in ("runner-goal", "queued-comments"):
        for ref in ("00000000-0000-0000-0000-000000000000", "nope", "ZZZ-999"):
            r = await client.get(f"/api/issues/{ref}/{path}")
            assert (r.status_code, r.json()["error"]) == (404, "Issue not found"), (ref, path)
        r = await client.get(f"/api/issues/{foreign['id']}/{path}", headers=headers)
        assert r.status_code == 403, (path, r.text)
        r = await client.get(f"/api/issues/{foreign['id']}/{path}", params={"x": 1})
        assert r.status_code == 400

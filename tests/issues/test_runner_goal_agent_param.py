"""GET /issues/{id}/runner-goal?agentId=: the original's issue page asks for the agent the board
picked (its web app sends the parameter on every issue page); checked against the original."""

from __future__ import annotations

import uuid


async def test_runner_goal_for_the_picked_agent(client, api):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    proc = await api.agent(cid, "Proc")
    claude = await api.agent(cid, "Claude", adapterType="claude_local", adapterConfig={})
    issue = await api.issue(cid, title="P", assigneeAgentId=proc["id"])
    unassigned = await api.issue(cid, title="Nobody")

    for target in (issue, unassigned):
        body = (
            await client.get(f"/api/issues/{target['id']}/runner-goal", params={"agentId": claude["id"]})
        ).json()
        assert (body["agentId"], body["adapterType"]) == (claude["id"], "claude_local")
        assert body["capability"]["reasonCode"] == "direct_adapter_goal_controller_unavailable"

    other = await api.company("Paperclip Labs")
    stranger = await api.agent(other["id"], "Stranger")
    for picked in (stranger["id"], str(uuid.uuid4())):  # not an agent of the issue's company: none selected
        r = await client.get(f"/api/issues/{issue['id']}/runner-goal", params={"agentId": picked})
        assert r.status_code == 200
        assert (r.json()["agentId"], r.json()["capability"]["reasonCode"]) == (None, "no_agent_selected")

    bad = await client.get(f"/api/issues/{issue['id']}/runner-goal", params={"agentId": "nope"})
    assert bad.status_code == 400 and "agentId" in bad.json()["error"]

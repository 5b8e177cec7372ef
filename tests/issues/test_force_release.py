"""`POST /issues/:id/admin/force-release`: an operator frees an issue whose checkout is stuck. The
race with checkouts runs against a live server, each request on its own connection and transaction."""

from __future__ import annotations

import asyncio

import httpx
from test_issues_concurrency import live_url  # noqa: F401  (the live-server fixture)


async def _checked_out(api, company_id: str, agent: dict, token: str, run_id: str) -> dict:
    issue = await api.issue(company_id, status="todo", title="Stuck")
    response = await api.client.post(
        f"/api/issues/{issue['id']}/checkout",
        json={"agentId": agent["id"], "expectedStatuses": ["todo"]},
        headers={"Authorization": f"Bearer {token}", "X-Paperclip-Run-Id": run_id},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_force_release_clears_the_lock_board_only(client, team, api, factory):
    issue = await _checked_out(api, team.cid, team.a1, team.k1, team.r1)
    by_agent = await client.post(f"/api/issues/{issue['id']}/admin/force-release", headers=team.h1())
    assert by_agent.status_code == 403 and by_agent.json()["error"] == "Board access required"
    assert (
        await client.post("/api/issues/00000000-0000-0000-0000-000000000000/admin/force-release")
    ).status_code == 404
    bad = await client.post(
        f"/api/issues/{issue['id']}/admin/force-release", params={"clearAssignee": "maybe"}
    )
    assert bad.status_code == 400 and "clearAssignee" in bad.json()["error"]

    released = await client.post(f"/api/issues/{issue['id']}/admin/force-release")
    assert released.status_code == 200, released.text
    body = released.json()
    assert body["previous"] == {"checkoutRunId": team.r1, "executionRunId": team.r1}
    freed = body["issue"]
    assert (
        freed["checkoutRunId"] is None
        and freed["executionRunId"] is None
        and freed["executionLockedAt"] is None
    )
    assert freed["assigneeAgentId"] == team.a1["id"] and freed["status"] == "in_progress"  # as the original
    activity = (await client.get(f"/api/issues/{issue['id']}/activity")).json()
    entry = next(a for a in activity if a["action"] == "issue.admin_force_release")
    assert entry["details"] == {
        "issueId": issue["id"],
        "actorUserId": "local-board",
        "clearAssignee": False,
        "prevCheckoutRunId": team.r1,
        "prevExecutionRunId": team.r1,
    }
    # the assignee's next run takes it again
    fresh_run = await factory.heartbeat_run(team.cid, team.a1["id"])
    again = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        json={"agentId": team.a1["id"], "expectedStatuses": ["in_progress"]},
        headers={"Authorization": f"Bearer {team.k1}", "X-Paperclip-Run-Id": fresh_run},
    )
    assert again.status_code == 200 and again.json()["checkoutRunId"] == fresh_run

    cleared = (
        await client.post(f"/api/issues/{issue['id']}/admin/force-release", params={"clearAssignee": "true"})
    ).json()
    assert cleared["issue"]["assigneeAgentId"] is None and cleared["previous"]["checkoutRunId"] == fresh_run


async def test_force_release_racing_checkouts_lets_exactly_one_new_owner_in(live_url, api, factory):  # noqa: F811
    company = await api.company("Stuck Co")
    stuck_agent = await api.agent(company["id"], "Stuck")
    stuck_key = await api.agent_key(stuck_agent["id"])
    stuck_run = await factory.heartbeat_run(
        company["id"], stuck_agent["id"]
    )  # stays "running": the stuck run
    issue = await _checked_out(api, company["id"], stuck_agent, stuck_key, stuck_run)
    contenders = []
    for n in range(5):
        agent = await api.agent(company["id"], f"Contender {n}")
        contenders.append(
            (
                agent["id"],
                await api.agent_key(agent["id"]),
                await factory.heartbeat_run(company["id"], agent["id"]),
            )
        )

    async def checkout(agent_id: str, token: str, run_id: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=live_url, timeout=60) as http:  # its own connection
            return await http.post(
                f"/api/issues/{issue['id']}/checkout",
                headers={"Authorization": f"Bearer {token}", "X-Paperclip-Run-Id": run_id},
                json={"agentId": agent_id, "expectedStatuses": ["in_progress"]},
            )

    async def force() -> httpx.Response:
        async with httpx.AsyncClient(base_url=live_url, timeout=60) as http:
            return await http.post(
                f"/api/issues/{issue['id']}/admin/force-release", params={"clearAssignee": "true"}
            )

    first = await asyncio.gather(force(), *(checkout(*c) for c in contenders))
    forced, round_one = first[0], list(first[1:])
    assert forced.status_code == 200, forced.text
    assert forced.json()["previous"]["checkoutRunId"] == stuck_run  # no contender got in before the release
    round_two = await asyncio.gather(*(checkout(*c) for c in contenders))
    responses = round_one + list(round_two)
    assert {r.status_code for r in responses} <= {200, 409}, [r.text for r in responses]
    winners = [r.json() for r in responses if r.status_code == 200]
    assert (
        len({w["assigneeAgentId"] for w in winners}) == 1
    )  # one new owner (a retry by the owner is idempotent)
    winner = winners[0]
    final = (await api.client.get(f"/api/issues/{issue['id']}")).json()
    assert final["assigneeAgentId"] == winner["assigneeAgentId"]
    assert final["checkoutRunId"] == winner["checkoutRunId"] != stuck_run
    activity = [a["action"] for a in (await api.client.get(f"/api/issues/{issue['id']}/activity")).json()]
    assert activity.count("issue.admin_force_release") == 1

    # the stuck run wakes up and tries to write: refused, nothing changed
    late = await api.client.patch(
        f"/api/issues/{issue['id']}",
        json={"status": "done"},
        headers={"Authorization": f"Bearer {stuck_key}", "X-Paperclip-Run-Id": stuck_run},
    )
    assert late.status_code == 409, late.text
    assert (await api.client.get(f"/api/issues/{issue['id']}")).json()["status"] == "in_progress"

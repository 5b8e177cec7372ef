"""Race-sensitive behaviour against a live server (uvicorn on 127.0.0.1 in a thread): each request is
its own connection and its own PostgreSQL transaction, all in flight at once."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import httpx
import pytest
import uvicorn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_url(settings, database_url):
    from paperclip.server.runtime import build_app

    port = _free_port()
    app = build_app(settings, database_url, port, role="api")
    # A long keep-alive: on a busy machine a pooled client connection may idle past uvicorn's default 5 s
    # and be closed under a request (httpx.ReadError) — a property of the test client, not of the server.
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", timeout_keep_alive=120
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


async def test_eight_agents_race_for_one_issue_exactly_one_wins(live_url, api, factory):
    company = await api.company("Race Co")
    agents = []
    for n in range(8):
        agent = await api.agent(company["id"], f"Racer {n}")
        agents.append(
            (
                agent["id"],
                await api.agent_key(agent["id"]),
                await factory.heartbeat_run(company["id"], agent["id"]),
            )
        )
    issue = await api.issue(company["id"], status="todo")

    async def attempt(agent_id: str, token: str, run_id: str) -> httpx.Response:
        # A client per agent: separate connections, separate transactions.
        async with httpx.AsyncClient(base_url=live_url, timeout=30) as http:
            return await http.post(
                f"/api/issues/{issue['id']}/checkout",
                headers={"Authorization": f"Bearer {token}", "X-Paperclip-Run-Id": run_id},
                json={"agentId": agent_id, "expectedStatuses": ["todo"]},
            )

    responses = await asyncio.gather(*(attempt(*a) for a in agents))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 7, [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 200)
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.json()["error"] == "Issue checkout conflict"
        assert loser.json()["details"]["assigneeAgentId"] == winner["assigneeAgentId"]
    final = (await api.client.get(f"/api/issues/{issue['id']}")).json()
    assert final["assigneeAgentId"] == winner["assigneeAgentId"]
    assert final["checkoutRunId"] == winner["checkoutRunId"]
    activity = (await api.client.get(f"/api/issues/{issue['id']}/activity")).json()
    assert [a["action"] for a in activity].count("issue.checked_out") == 1


async def test_two_hundred_parallel_creates_get_distinct_identifiers(live_url, api):
    company = await api.company("Parallel Co")
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=live_url, timeout=60, limits=limits) as http:
        responses = await asyncio.gather(
            *(
                http.post(f"/api/companies/{company['id']}/issues", json={"title": f"Parallel {n}"})
                for n in range(200)
            )
        )
    assert all(r.status_code == 201 for r in responses), {r.status_code for r in responses}
    numbers = sorted(r.json()["issueNumber"] for r in responses)
    assert numbers == list(range(1, 201))
    identifiers = {r.json()["identifier"] for r in responses}
    assert identifiers == {f"PAR-{n}" for n in range(1, 201)}
    listed = (await api.client.get(f"/api/companies/{company['id']}/issues")).json()
    assert len(listed) == 200
    assert (await api.client.get(f"/api/companies/{company['id']}")).json()["issueCounter"] == 200

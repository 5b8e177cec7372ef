"""A wake-up through the API ends in a real process run with its log, excerpts and agent status."""

from __future__ import annotations

import pytest

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")


async def test_wakeup_runs_process_and_records_log(client, factory):
    company = await factory.company()
    agent = await factory.agent(
        company, config={"command": "/bin/sh", "args": ["-c", "echo hello; echo oops >&2"]}
    )
    res = await client.post(f"/api/agents/{agent}/wakeup", json={"reason": "probe"})
    assert res.status_code == 202, res.text
    body = res.json()
    assert body["status"] == "queued" and body["agentId"] == str(agent)
    run = await factory.wait_run(body["id"])
    assert run.status == "succeeded", run.error
    assert run.exit_code == 0
    assert "hello" in run.stdout_excerpt and "oops" in run.stderr_excerpt
    assert run.log_bytes > 0 and len(run.log_sha256) == 64
    log = (await client.get(f"/api/heartbeat-runs/{run.id}/log")).json()
    assert '"chunk": "hello\\n"' in log["content"] or '"chunk":"hello\\n"' in log["content"]
    events = (await client.get(f"/api/heartbeat-runs/{run.id}/events")).json()
    assert [e["message"] for e in events][0] == "run started" and events[-1]["message"] == "run succeeded"
    agent_row = (await client.get(f"/api/agents/{agent}/runtime-state")).json()
    assert agent_row["lastRunStatus"] == "succeeded"

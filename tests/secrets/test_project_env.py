"""A project's env reaches the runs of agents working on its issues: project keys override the agent's
(core §2.5/§5.6), project secrets are resolved server-side and masked like the agent's."""

from __future__ import annotations

import json
import sys

import pytest
import sqlalchemy as sa

from paperclip.db.models import HeartbeatRun

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")

PROJECT_SECRET = "proj-secret-0123456789abcdef"
AGENT_SECRET = "agent-secret-9876543210zyxwv"

PRINTER = """
import json, os, sys
names = ["ONLY_AGENT", "SHARED", "PROJECT_TOKEN", "ONLY_PROJECT", "OVERRIDDEN_SECRET"]
print(json.dumps({k: os.environ.get(k) for k in names}), flush=True)
open(sys.argv[1], "w").write(json.dumps({k: os.environ.get(k) for k in names}))
"""


async def _agent(api, client, tmp_path, cid):
    agent_secret = await api.secret(cid, "agent-secret", AGENT_SECRET)
    script = tmp_path / "printer.py"
    script.write_text(PRINTER)
    r = await client.post(
        f"/api/companies/{cid}/agents",
        json={
            "name": "Printer",
            "adapterType": "process",
            "adapterConfig": {
                "command": sys.executable,
                "args": [str(script), str(tmp_path / "seen.json")],
                "env": {
                    "ONLY_AGENT": "from-agent",
                    "SHARED": "agent-value",
                    "OVERRIDDEN_SECRET": {"type": "secret_ref", "secretId": agent_secret["id"]},
                },
            },
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _project(api, client, cid, env):
    r = await client.post(f"/api/companies/{cid}/projects", json={"name": "Apollo", "env": env})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _assigned_run(client, factory, cid, agent_id, project_id):
    body = {"title": "Probe env", "assigneeAgentId": agent_id, "status": "todo"}
    if project_id:
        body["projectId"] = project_id
    r = await client.post(f"/api/companies/{cid}/issues", json=body)
    assert r.status_code == 201, r.text
    issue_id = r.json()["id"]
    for _ in range(500):
        run_id = await factory.scalar(sa.select(HeartbeatRun.id).where(HeartbeatRun.agent_id == agent_id))
        if run_id is not None:
            break
        import asyncio

        await asyncio.sleep(0.02)
    run = await factory.wait_run(run_id)
    assert run.context_snapshot.get("issueId") == issue_id
    return run


async def test_project_env_overrides_agent_env_and_its_secrets_are_masked(api, client, factory, tmp_path):
    cid = (await api.company())["id"]
    agent_id = await _agent(api, client, tmp_path, cid)
    project_secret = await api.secret(cid, "project-token", PROJECT_SECRET)
    ref = {"type": "secret_ref", "secretId": project_secret["id"], "version": "latest"}
    project_id = await _project(
        api,
        client,
        cid,
        {
            "SHARED": "project-value",
            "PROJECT_TOKEN": ref,
            "ONLY_PROJECT": {"type": "plain", "value": "p-only"},
            "OVERRIDDEN_SECRET": "plain-from-project",
        },
    )

    run = await _assigned_run(client, factory, cid, agent_id, project_id)
    assert run.status == "succeeded", run.error
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen == {
        "ONLY_AGENT": "from-agent",
        "SHARED": "project-value",
        "PROJECT_TOKEN": PROJECT_SECRET,
        "ONLY_PROJECT": "p-only",
        "OVERRIDDEN_SECRET": "plain-from-project",
    }

    log = (await client.get(f"/api/heartbeat-runs/{run.id}/log")).json()["content"]
    stdout = "".join(
        json.loads(line)["chunk"] for line in log.splitlines() if json.loads(line)["stream"] == "stdout"
    )
    printed = json.loads(stdout.splitlines()[0])
    assert printed["PROJECT_TOKEN"] == "***REDACTED***"
    # plain values of 8+ characters are masked like the agent's (heartbeat/env.py); short ones are not
    assert printed["ONLY_PROJECT"] == "p-only"
    events = (await client.get(f"/api/heartbeat-runs/{run.id}/events")).text
    for text in (log, events, (await client.get(f"/api/heartbeat-runs/{run.id}")).text):
        assert PROJECT_SECRET not in text


async def test_a_run_outside_any_project_gets_only_the_agent_env(api, client, factory, tmp_path):
    cid = (await api.company())["id"]
    agent_id = await _agent(api, client, tmp_path, cid)
    await _project(api, client, cid, {"SHARED": "project-value", "ONLY_PROJECT": "p-only"})
    run = await _assigned_run(client, factory, cid, agent_id, None)
    assert run.status == "succeeded", run.error
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen == {
        "ONLY_AGENT": "from-agent",
        "SHARED": "agent-value",
        "PROJECT_TOKEN": None,
        "ONLY_PROJECT": None,
        "OVERRIDDEN_SECRET": AGENT_SECRET,
    }


async def test_a_deleted_project_secret_fails_the_run_naming_it(api, client, factory, tmp_path):
    cid = (await api.company())["id"]
    agent_id = await _agent(api, client, tmp_path, cid)
    gone = await api.secret(cid, "gone", PROJECT_SECRET)
    project_id = await _project(api, client, cid, {"GONE": {"type": "secret_ref", "secretId": gone["id"]}})
    assert (await client.delete(f"/api/secrets/{gone['id']}")).status_code == 200
    run = await _assigned_run(client, factory, cid, agent_id, project_id)
    assert run.status == "failed" and run.error_code == "invalid_config"
    assert run.error == f"Secret not found (secret {gone['id']})"
    assert not (tmp_path / "seen.json").exists()

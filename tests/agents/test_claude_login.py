"""POST /agents/:id/claude-login through HTTP: the agent's Claude CLI really runs as `<command> login`
in the agent's working directory and environment (config env with secrets resolved and masked), and
the answer has the original's shape with the login URL found; board only, claude_local only."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path


def _fake_claude(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-claude"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


async def test_login_runs_the_agents_claude_cli(client, api, tmp_path):
    cid = (await api.company())["id"]
    secret = await api.secret(cid, "anthropic-key", "sk-very-secret-value-123")
    command = _fake_claude(
        tmp_path,
        'echo "args: $*" >&2\n'
        'echo "cwd: $(pwd)" >&2\n'
        'echo "agent: $PAPERCLIP_AGENT_ID run: $PAPERCLIP_RUN_ID plain: $PLAIN key: $ANTHROPIC_API_KEY" >&2\n'
        'echo "Open https://claude.ai/oauth/authorize?code=xyz to sign in"\n'
        "exit 0\n",
    )
    agent = await api.agent(
        cid,
        "Claude",
        adapterType="claude_local",
        adapterConfig={
            "command": command,
            "cwd": str(tmp_path),
            "env": {
                "PLAIN": {"type": "plain", "value": "hello"},
                "ANTHROPIC_API_KEY": {"type": "secret_ref", "secretId": secret["id"], "version": "latest"},
            },
        },
    )
    r = await client.post(f"/api/agents/{agent['id']}/claude-login")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"exitCode", "signal", "timedOut", "stdout", "stderr", "loginUrl"}
    assert (body["exitCode"], body["signal"], body["timedOut"]) == (0, None, False)
    assert body["loginUrl"] == "https://claude.ai/oauth/authorize"  # the original drops the query
    assert "args: login\n" in body["stderr"] and f"cwd: {tmp_path}\n" in body["stderr"]
    assert f"agent: {agent['id']} run: claude-login-" in body["stderr"]
    assert "plain: hello" in body["stderr"]
    assert "sk-very-secret-value-123" not in r.text and "key: ***REDACTED***" in body["stderr"]
    entry = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert (entry["action"], entry["entityId"]) == ("agent.claude_login", agent["id"])
    assert entry["details"] == {"exitCode": 0, "timedOut": False, "loginUrlFound": True}


async def test_login_failures_and_refusals(client, api, tmp_path):
    cid = (await api.company())["id"]
    failing = await api.agent(
        cid,
        "Failing",
        adapterType="claude_local",
        adapterConfig={"command": _fake_claude(tmp_path, "echo nope >&2\nexit 3\n")},
    )
    r = await client.post(f"/api/agents/{failing['id']}/claude-login")
    assert r.status_code == 200 and (r.json()["exitCode"], r.json()["loginUrl"]) == (3, None)
    missing_cli = await api.agent(
        cid, "NoCli", adapterType="claude_local", adapterConfig={"command": str(tmp_path / "absent")}
    )
    r = await client.post(f"/api/agents/{missing_cli['id']}/claude-login")
    assert r.status_code == 422 and r.json()["error"].startswith("Claude CLI could not be started")
    process = await api.agent(cid, "Proc", adapterType="process", adapterConfig={"command": "true"})
    r = await client.post(f"/api/agents/{process['id']}/claude-login")
    assert (r.status_code, r.json()["error"]) == (400, "Login is only supported for claude_local agents")
    for ref in (str(uuid.uuid4()), "nope"):
        r = await client.post(f"/api/agents/{ref}/claude-login")
        assert (r.status_code, r.json()["error"]) == (404, "Agent not found")
    headers = await api.agent_auth(process["id"])
    r = await client.post(f"/api/agents/{failing['id']}/claude-login", headers=headers)
    assert (r.status_code, r.json()["error"]) == (403, "Board access required")

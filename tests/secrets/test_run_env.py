"""Secrets reach the agent process's environment at run time, and every run output masks them.

Real agent processes (the process adapter) print their environment and argv, pass a secret to a
child process as an argument, and print a secret split across two writes.
"""

from __future__ import annotations

import json
import sys
import textwrap
import uuid

import pytest
import sqlalchemy as sa

from paperclip.db.models import HeartbeatRun, HeartbeatRunEvent

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")

ANTHROPIC = "sk-ant-api03-SECRETVALUE-0123456789"
PAT = "ghp_patvalue0123456789ABCDEF"
DB_PASS = "hunter2!"
SHORT_REF = "abcd"  # a short value from a secret reference: still masked (4 characters and up)

AGENT = textwrap.dedent("""
    import json, os, subprocess, sys, time
    names = ["ANTHROPIC_KEY", "GITHUB_PAT", "DB_PASS", "SHORT_REF", "PINNED", "PLAIN_FLAG"]
    print(json.dumps({k: os.environ.get(k) for k in names}), flush=True)
    print("argv:", sys.argv[1:], flush=True)
    # a secret handed to a child process as a command-line argument, echoed back by the child
    subprocess.run(["/bin/sh", "-c", 'echo "child got $1"', "sh", os.environ["ANTHROPIC_KEY"]], check=True)
    key = os.environ["GITHUB_PAT"]
    sys.stdout.write("split:" + key[:9]); sys.stdout.flush(); time.sleep(0.3)
    sys.stdout.write(key[9:] + " end\\n"); sys.stdout.flush()
    print("to stderr", os.environ["DB_PASS"], file=sys.stderr, flush=True)
    sys.exit(3 if os.environ.get("FAIL") else 0)
""")


async def _setup(api, client, tmp_path, extra_env=None):
    cid = (await api.company())["id"]
    anthropic = await api.secret(cid, "anthropic", "old-anthropic-value")
    rotated = await client.post(f"/api/secrets/{anthropic['id']}/rotate", json={"value": ANTHROPIC})
    assert rotated.status_code == 200
    short = await api.secret(cid, "short", SHORT_REF)
    script = tmp_path / "agent.py"
    script.write_text(AGENT)
    env = {
        "ANTHROPIC_KEY": {"type": "secret_ref", "secretId": anthropic["id"], "version": "latest"},
        "PINNED": {"type": "secret_ref", "secretId": anthropic["id"], "version": 1},
        "SHORT_REF": {"type": "secret_ref", "secretId": short["id"]},
        "GITHUB_PAT": PAT,
        "DB_PASS": {"type": "plain", "value": DB_PASS},
        "PLAIN_FLAG": "true",
        **(extra_env or {}),
    }
    r = await client.post(
        f"/api/companies/{cid}/agents",
        json={
            "name": "Printer",
            "adapterType": "process",
            "adapterConfig": {"command": sys.executable, "args": [str(script), "--token", PAT], "env": env},
        },
    )
    assert r.status_code == 201, r.text
    return cid, r.json()["id"], anthropic


async def _run(client, factory, agent_id):
    r = await client.post(f"/api/agents/{agent_id}/wakeup", json={"reason": "probe"})
    assert r.status_code == 202, r.text
    return await factory.wait_run(r.json()["id"])


async def test_secrets_arrive_in_the_environment_and_are_masked_everywhere(api, client, factory, tmp_path):
    cid, agent_id, _ = await _setup(api, client, tmp_path)
    run = await _run(client, factory, agent_id)
    assert run.status == "succeeded", run.error

    log = (await client.get(f"/api/heartbeat-runs/{run.id}/log")).json()["content"]
    chunks = [json.loads(line) for line in log.splitlines()]
    stdout = "".join(c["chunk"] for c in chunks if c["stream"] == "stdout")
    printed = json.loads(stdout.splitlines()[0])
    # every binding arrived (as the masked log shows it): the process saw real values
    assert printed == {
        "ANTHROPIC_KEY": "***REDACTED***",
        "GITHUB_PAT": "***REDACTED***",
        "DB_PASS": "***REDACTED***",
        "SHORT_REF": "***REDACTED***",
        "PINNED": "***REDACTED***",
        "PLAIN_FLAG": "true",
    }
    assert "child got ***REDACTED***" in stdout
    assert "split:***REDACTED*** end" in stdout
    assert "'--token', '***REDACTED***'" in stdout

    events = (await client.get(f"/api/heartbeat-runs/{run.id}/events")).json()
    row = await factory.scalar(sa.select(HeartbeatRun).where(HeartbeatRun.id == run.id))
    stored_events = await factory.rows(
        sa.select(HeartbeatRunEvent.payload, HeartbeatRunEvent.message).where(
            HeartbeatRunEvent.run_id == run.id
        )
    )
    outputs = [
        log,
        json.dumps(events),
        json.dumps(row.result_json),
        row.stdout_excerpt or "",
        row.stderr_excerpt or "",
        json.dumps([list(map(str, e)) for e in stored_events]),
        (await client.get(f"/api/heartbeat-runs/{run.id}")).text,
        (await client.get(f"/api/companies/{cid}/activity")).text,
        (await client.get(f"/api/agents/{agent_id}")).text,
    ]
    for text in outputs:
        for value in (ANTHROPIC, PAT, DB_PASS, "old-anthropic-value", "SECRETVALUE", "patvalue"):
            assert value not in text, (value, text[:300])
    assert "to stderr ***REDACTED***" in row.stderr_excerpt


async def test_values_really_reach_the_process(api, client, factory, tmp_path):
    """The process writes what it received to a file outside the run's outputs: the real values,
    with `latest` the rotated one and a pinned version the old one."""
    cid, agent_id, anthropic = await _setup(api, client, tmp_path)
    out = tmp_path / "seen.json"
    script = tmp_path / "writer.py"
    script.write_text(f"import json, os; open({str(out)!r}, 'w').write(json.dumps(dict(os.environ)))")
    r = await client.patch(f"/api/agents/{agent_id}", json={"adapterConfig": {"args": [str(script)]}})
    assert r.status_code == 200, r.text
    run = await _run(client, factory, agent_id)
    assert run.status == "succeeded", run.error
    seen = json.loads(out.read_text())
    assert seen["ANTHROPIC_KEY"] == ANTHROPIC and seen["PINNED"] == "old-anthropic-value"
    assert seen["GITHUB_PAT"] == PAT and seen["DB_PASS"] == DB_PASS and seen["SHORT_REF"] == SHORT_REF
    assert "PAPERCLIP_SECRETS_MASTER_KEY" not in seen and "DATABASE_URL" not in seen


async def test_a_deleted_secret_fails_the_run_naming_it_and_no_process_starts(api, client, factory, tmp_path):
    cid, agent_id, anthropic = await _setup(api, client, tmp_path)
    assert (await client.delete(f"/api/secrets/{anthropic['id']}")).status_code == 200
    run = await _run(client, factory, agent_id)
    assert run.status == "failed" and run.error_code == "invalid_config"
    assert run.error == f"Secret not found (secret {anthropic['id']})"
    assert run.process_pid is None


async def test_a_wrong_master_key_fails_the_run_with_its_fingerprint(
    api, client, factory, tmp_path, settings
):
    cid, agent_id, _ = await _setup(api, client, tmp_path)
    settings.secrets.master_key_file.write_text("z" * 32 + "\n")
    from paperclip.secrets.master_key import fingerprint

    run = await _run(client, factory, agent_id)
    assert run.status == "failed" and run.error_code == "invalid_config"
    assert run.error.startswith(
        f"Secret decryption failed (master key fingerprint: {fingerprint(b'z' * 32)})"
    )
    uuid.UUID(str(run.id))

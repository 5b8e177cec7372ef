"""The process adapter through the whole runner: success, failure, timeout, cancellation of the
whole process group, the environment the agent receives, and masking of injected secrets."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import sqlalchemy as sa
from factories import RowFactory
from hb_support import pid_alive, write_script

from paperclip.auth.run_jwt import verify_run_jwt
from paperclip.db.models import Agent, HeartbeatRunEvent

SERVER_SECRETS = {
    "DATABASE_URL": "postgres://paperclip:dbpass@127.0.0.1:5432/paperclip",
    "PAPERCLIP_SECRETS_MASTER_KEY": "0" * 64,
    "BETTER_AUTH_SECRET": "better-auth-secret-value",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
}


@pytest.fixture
def settings(make_settings):
    return make_settings({**SERVER_SECRETS, "PAPERCLIP_API_URL": "http://paperclip.test:3100"})


async def start(client, factory, config, **agent_kw):
    company = await factory.company()
    agent = await factory.agent(company, config=config, **agent_kw)
    res = await client.post(f"/api/agents/{agent}/wakeup", json={"reason": "test_wake"})
    assert res.status_code == 202, res.text
    return company, agent, res.json()["id"]


async def test_zero_exit_succeeds_and_agent_returns_to_idle(app_with_runner, client, factory):
    _, agent, run_id = await start(client, factory, {"command": "/bin/echo", "args": ["done"]})
    run = await factory.wait_run(run_id)
    assert (run.status, run.exit_code, run.error) == ("succeeded", 0, None)
    assert await factory.scalar(sa.select(Agent.status).where(Agent.id == agent)) == "idle"


async def test_nonzero_exit_fails_the_run_and_sets_agent_error(app_with_runner, client, factory):
    _, agent, run_id = await start(
        client, factory, {"command": "/bin/sh", "args": ["-c", "echo bad >&2; exit 3"]}
    )
    run = await factory.wait_run(run_id)
    assert (run.status, run.exit_code, run.error_code) == ("failed", 3, "nonzero_exit")
    assert run.error == "Process exited with code 3" and "bad" in run.stderr_excerpt
    assert await factory.scalar(sa.select(Agent.status).where(Agent.id == agent)) == "error"


async def test_timeout_stops_the_process(app_with_runner, client, factory):
    _, _, run_id = await start(
        client, factory, {"command": "/bin/sleep", "args": ["30"], "timeoutSec": 1, "graceSec": 1}
    )
    run = await factory.wait_run(run_id)
    assert (run.status, run.error_code, run.error) == ("timed_out", "timeout", "Timed out after 1s")


async def test_cancel_kills_the_whole_process_group(app_with_runner, client, factory, tmp_path):
    pids = tmp_path / "pids"
    script = f"trap '' TERM; sleep 300 & echo $$ $! > {pids}; wait"
    _, agent, run_id = await start(
        client, factory, {"command": "/bin/sh", "args": ["-c", script], "graceSec": 1}
    )
    await factory.wait_run(run_id, ("running",))
    for _ in range(500):
        if pids.exists() and len(pids.read_text().split()) == 2:
            break
        await asyncio.sleep(0.01)
    leader, child = (int(p) for p in pids.read_text().split())
    res = await client.post(f"/api/heartbeat-runs/{run_id}/cancel")
    assert res.status_code == 200 and res.json()["status"] == "cancelled"
    run = await factory.wait_run(run_id)
    assert run.status == "cancelled" and run.error == "Cancelled by a board operator"
    for _ in range(300):
        if not pid_alive(leader) and not pid_alive(child):
            break
        await asyncio.sleep(0.02)
    assert not pid_alive(leader) and not pid_alive(child)  # SIGTERM was ignored: SIGKILL after graceSec
    assert await factory.scalar(sa.select(Agent.status).where(Agent.id == agent)) == "idle"


async def test_agent_environment_has_runtime_keys_and_none_of_the_server_secrets(
    app_with_runner, client, app, factory, tmp_path
):
    dump = tmp_path / "env.json"
    script = write_script(
        tmp_path / "dump_env.py",
        f"""
        import json, os
        json.dump(dict(os.environ), open({str(dump)!r}, "w"))
    """,
    )
    config = {
        "command": str(script),
        "env": {
            "FOO": "bar",
            "PAPERCLIP_RUN_ID": "spoofed",
            "PAPERCLIP_API_KEY": "spoofed",
            "PLAIN": {"type": "plain", "value": "p"},
        },
    }
    company, agent, run_id = await start(client, factory, config)
    run = await factory.wait_run(run_id)
    assert run.status == "succeeded", run.error
    env = json.loads(dump.read_text())
    assert env["PAPERCLIP_AGENT_ID"] == str(agent) and env["PAPERCLIP_COMPANY_ID"] == str(company)
    assert env["PAPERCLIP_RUN_ID"] == run_id and env["PAPERCLIP_WAKE_REASON"] == "test_wake"
    assert env["PAPERCLIP_API_URL"] == "http://paperclip.test:3100"
    assert env["FOO"] == "bar" and env["PLAIN"] == "p"
    for key, value in SERVER_SECRETS.items():
        assert key not in env and value not in json.dumps(env)
    claims = verify_run_jwt(app.state.settings, env["PAPERCLIP_API_KEY"])
    assert claims.agent_id == agent and claims.run_id == uuid.UUID(run_id)
    me = await client.get("/api/agents/me", headers={"Authorization": f"Bearer {env['PAPERCLIP_API_KEY']}"})
    assert me.status_code in (200, 404)  # accepted as the agent (404 only if the agents routes are absent)
    assert me.status_code != 401


async def test_task_and_wake_context_reach_the_environment(app_with_runner, client, app, factory, tmp_path):
    from paperclip.clock import utcnow
    from paperclip.db.engine import unit_of_work
    from paperclip.heartbeat.wakeups import request_wakeup

    dump = tmp_path / "env.json"
    script = write_script(
        tmp_path / "dump_env.py",
        f"""
        import json, os
        json.dump(dict(os.environ), open({str(dump)!r}, "w"))
    """,
    )
    company = await factory.company()
    agent = await factory.agent(company, config={"command": str(script)})
    issue = str(uuid.uuid4())
    async with unit_of_work(app.state.sessions) as session:
        outcome = await request_wakeup(
            session,
            company_id=company,
            agent_id=agent,
            source="automation",
            reason="approval_approved",
            now=utcnow(),
            payload={"issueId": issue, "commentId": "c-9"},
            context={"approvalId": "ap-1", "approvalStatus": "approved", "issueIds": [issue, "i-2"]},
        )
    await factory.wait_run(outcome.run_id)
    env = json.loads(dump.read_text())
    assert env["PAPERCLIP_TASK_ID"] == issue and env["PAPERCLIP_WAKE_COMMENT_ID"] == "c-9"
    assert env["PAPERCLIP_APPROVAL_ID"] == "ap-1" and env["PAPERCLIP_APPROVAL_STATUS"] == "approved"
    assert env["PAPERCLIP_LINKED_ISSUE_IDS"] == f"{issue},i-2"


async def test_injected_secrets_are_masked_in_logs_excerpts_events_and_responses(
    app_with_runner, client, factory
):
    secret = "sk-live-very-secret-value-42"
    script = 'echo "key=$MY_API_KEY token=$PAPERCLIP_API_KEY"; echo "$MY_API_KEY" >&2'
    _, _, run_id = await start(
        client, factory, {"command": "/bin/sh", "args": ["-c", script], "env": {"MY_API_KEY": secret}}
    )
    run = await factory.wait_run(run_id)
    assert run.status == "succeeded"
    body = (await client.get(f"/api/heartbeat-runs/{run_id}")).text
    log = (await client.get(f"/api/heartbeat-runs/{run_id}/log")).text
    events = (await client.get(f"/api/heartbeat-runs/{run_id}/events")).text
    for text in (body, log, events, run.stdout_excerpt, run.stderr_excerpt):
        assert secret not in text and "eyJ" not in text
    assert "***REDACTED***" in run.stdout_excerpt
    stored = await factory.rows(
        sa.select(HeartbeatRunEvent.payload).where(HeartbeatRunEvent.run_id == uuid.UUID(run_id))
    )
    assert secret not in json.dumps([r.payload for r in stored])


async def test_log_pages_by_offset_and_byte_limit(app_with_runner, client, factory):
    _, _, run_id = await start(
        client,
        factory,
        {"command": "/bin/sh", "args": ["-c", "for i in $(seq 1 200); do echo line-$i-äöü; done"]},
    )
    await factory.wait_run(run_id)
    whole = (await client.get(f"/api/heartbeat-runs/{run_id}/log")).json()["content"]
    pieces, offset = [], 0
    while True:
        page = (
            await client.get(
                f"/api/heartbeat-runs/{run_id}/log", params={"offset": offset, "limitBytes": 333}
            )
        ).json()
        pieces.append(page["content"])
        if "nextOffset" not in page:
            break
        offset = page["nextOffset"]
    assert "".join(pieces) == whole and len(pieces) > 3 and "line-200-äöü" in whole


async def test_missing_jwt_secret_fails_the_run_instead_of_running_unauthenticated(
    make_settings, database_url, tmp_path
):
    import httpx

    from paperclip.server.runtime import build_app

    marker = tmp_path / "ran"
    app = build_app(
        make_settings({"PAPERCLIP_AGENT_JWT_SECRET": "", "BETTER_AUTH_SECRET": ""}),
        database_url,
        3100,
        role="all",  # the runner refuses the run
    )
    async with app.router.lifespan_context(app):
        factory = RowFactory(app)
        company = await factory.company()
        agent = await factory.agent(company, config={"command": "/bin/touch", "args": [str(marker)]})
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost:3100"
        ) as http:
            run_id = (await http.post(f"/api/agents/{agent}/wakeup", json={})).json()["id"]
        run = await factory.wait_run(run_id)
    assert run.status == "failed" and run.error_code == "auth_unavailable"
    assert "PAPERCLIP_AGENT_JWT_SECRET" in run.error
    assert not marker.exists()

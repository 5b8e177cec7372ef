"""The client CLI's `routine` group (the original's commands) against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx


def cli_json(*args: str, env: dict[str, str]):
    proc = subprocess.run(
        [sys.executable, "-m", "paperclip", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout) if proc.stdout.strip() else None


async def test_routine_commands(live_server, tmp_path):
    async with httpx.AsyncClient(base_url=live_server) as http:
        cid = (await http.post("/api/companies", json={"name": "Cli Co"})).json()["id"]
        agent = (
            await http.post(
                f"/api/companies/{cid}/agents",
                json={
                    "name": "Bot",
                    "adapterType": "process",
                    "adapterConfig": {"command": "true"},
                    "runtimeConfig": {"heartbeat": {"enabled": False}},
                },
            )
        ).json()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERCLIP_")}
    env.update(
        {
            "PAPERCLIP_HOME": str(tmp_path / "home"),
            "PAPERCLIP_API_URL": live_server,
            "PAPERCLIP_COMPANY_ID": cid,
        }
    )
    routine = cli_json(
        "routine",
        "create",
        "--payload-json",
        json.dumps(
            {
                "title": "Weekly {{what}}",
                "assigneeAgentId": agent["id"],
                "variables": [{"name": "what", "defaultValue": "review"}],
            }
        ),
        env=env,
    )
    assert routine["title"] == "Weekly {{what}}"
    assert [r["id"] for r in cli_json("routine", "list", env=env)] == [routine["id"]]
    trigger = cli_json(
        "routine",
        "trigger:create",
        routine["id"],
        "--payload-json",
        json.dumps({"kind": "schedule", "cronExpression": "0 9 * * 1", "timezone": "Europe/Amsterdam"}),
        env=env,
    )["trigger"]
    assert trigger["nextRunAt"] is not None
    cli_json(
        "routine", "trigger:update", trigger["id"], "--payload-json", json.dumps({"enabled": False}), env=env
    )
    run = cli_json(
        "routine", "run", routine["id"], "--payload-json", json.dumps({"idempotencyKey": "cli-1"}), env=env
    )
    assert run["status"] == "issue_created"
    assert [r["id"] for r in cli_json("routine", "runs", routine["id"], "--limit", "5", env=env)] == [
        run["id"]
    ]
    hook = cli_json(
        "routine",
        "trigger:create",
        routine["id"],
        "--payload-json",
        json.dumps({"kind": "webhook", "signingMode": "none"}),
        env=env,
    )["trigger"]
    fired = cli_json(
        "routine", "trigger:fire", hook["publicId"], "--payload-json", json.dumps({"x": 1}), env=env
    )
    assert fired["status"] == "coalesced" and fired["triggerPayload"] == {"x": 1}
    cli_json("routine", "trigger:delete", trigger["id"], env=env)
    assert (
        cli_json(
            "routine", "update", routine["id"], "--payload-json", json.dumps({"status": "paused"}), env=env
        )["status"]
        == "paused"
    )
    assert len(cli_json("routine", "get", routine["id"], env=env)["triggers"]) == 1

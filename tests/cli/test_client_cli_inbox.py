"""Our `paperclipai` client commands for the inbox state, work products and force-release, as real
processes against a live server of ours (real HTTP, real PostgreSQL)."""

from __future__ import annotations

import json

import httpx
import pytest
from server.conftest import free_port, start  # noqa: F401
from test_client_cli import cli, cli_json, client_env, server_url  # noqa: F401

pytestmark = pytest.mark.timeout(300)


def test_inbox_work_products_and_force_release_commands(client_env):  # noqa: F811
    env = client_env
    company = cli_json("company", "create", "--payload-json", json.dumps({"name": "Inbox Co"}), env=env)
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}
    agent = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps(
            {
                "name": "Helper",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            }
        ),
        env=env,
    )
    key = httpx.post(f"{env['PAPERCLIP_API_URL']}/api/agents/{agent['id']}/keys", json={"name": "k"}).json()[
        "token"
    ]
    issue = cli_json("issue", "create", "--title", "Review the PR", "--status", "todo", env=env)

    read = cli_json("issue", "read", issue["id"], env=env)
    assert read["issueId"] == issue["id"] and read["userId"] == "local-board"
    assert cli_json("issue", "unread", issue["id"], env=env) == {"id": issue["id"], "removed": True}
    archived = cli_json("issue", "archive", issue["id"], env=env)
    assert archived["archivedByActorType"] == "user"
    as_agent = {**env, "PAPERCLIP_API_KEY": key}
    assert cli_json("agent", "inbox-mine", "--user-id", "local-board", env=as_agent) == []  # archived
    assert cli_json("issue", "unarchive", issue["id"], env=env)["id"] == archived["id"]
    mine = cli_json("agent", "inbox-mine", "--user-id", "local-board", "--status", "todo", env=as_agent)
    assert [i["id"] for i in mine] == [issue["id"]]

    product = cli_json(
        "issue",
        "work-product:create",
        issue["id"],
        "--payload-json",
        json.dumps(
            {"type": "pull_request", "provider": "github", "title": "PR 7", "url": "https://example.com/pr/7"}
        ),
        env=env,
    )
    merged = cli_json(
        "issue",
        "work-product:update",
        product["id"],
        "--payload-json",
        json.dumps({"status": "merged"}),
        env=env,
    )
    assert merged["status"] == "merged"
    assert [p["id"] for p in cli_json("issue", "work-products", issue["id"], env=env)] == [product["id"]]
    refused = cli(
        "issue",
        "work-product:create",
        issue["id"],
        "--payload-json",
        json.dumps({"type": "pull_request", "provider": "github", "title": "x", "url": "nope"}),
        env=env,
        check=False,
    )
    assert refused.returncode == 1 and "400" in refused.stderr
    assert cli_json("issue", "work-product:delete", product["id"], env=env)["id"] == product["id"]
    assert cli_json("issue", "work-products", issue["id"], env=env) == []

    released = cli_json("issue", "force-release", issue["id"], env=env)
    assert released["previous"] == {"checkoutRunId": None, "executionRunId": None}
    assert released["issue"]["id"] == issue["id"]
    not_board = cli("issue", "force-release", issue["id"], env=as_agent, check=False)
    assert not_board.returncode == 1 and "Board access required" in not_board.stderr

    # `agent wake` looks the agent up by name, then asks for the wake-up (it used to stop at the look-up)
    woken = cli_json(
        "agent", "wake", "Helper", "--reason", "from the cli", "--idempotency-key", "wake-1", env=env
    )
    assert woken.get("status") in ("queued", "running", "succeeded", "skipped"), woken
    runs = httpx.get(f"{env['PAPERCLIP_API_URL']}/api/companies/{company['id']}/heartbeat-runs").json()
    assert woken.get("status") == "skipped" or woken["id"] in [r["id"] for r in runs]
    requests = httpx.get(f"{env['PAPERCLIP_API_URL']}/api/companies/{company['id']}/activity").json()
    assert "heartbeat.invoked" in {entry["action"] for entry in requests}

"""Our `paperclipai` client commands for interactions, tree holds, feedback and recovery actions, as real
processes against a live server of ours (real HTTP, real PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from server.conftest import free_port, start  # noqa: F401
from test_client_cli import cli, cli_json, client_env, server_url  # noqa: F401

pytestmark = pytest.mark.timeout(300)


def test_interaction_tree_hold_feedback_and_recovery_commands(client_env, tmp_path: Path):  # noqa: F811
    env = client_env
    company = cli_json("company", "create", "--payload-json", json.dumps({"name": "Threads Co"}), env=env)
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}
    agent = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps(
            {
                "name": "Asker",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            }
        ),
        env=env,
    )
    api = env["PAPERCLIP_API_URL"]
    key = httpx.post(f"{api}/api/agents/{agent['id']}/keys", json={"name": "k"}).json()["token"]
    root = cli_json("issue", "create", "--title", "Root", "--status", "todo", env=env)
    child = cli_json(
        "issue", "create", "--title", "Child", "--parent-id", root["id"], "--status", "todo", env=env
    )

    confirm = {"kind": "request_confirmation", "payload": {"version": 1, "prompt": "Ship?"}}
    made = cli_json("issue", "interaction:create", root["id"], "--payload-json", json.dumps(confirm), env=env)
    assert made["status"] == "pending"
    assert [i["id"] for i in cli_json("issue", "interactions", root["id"], env=env)] == [made["id"]]
    accepted = cli_json("issue", "interaction:accept", root["id"], made["id"], env=env)
    assert accepted["status"] == "accepted"
    again = cli(
        "issue", "interaction:reject", root["id"], made["id"], "--reason", "late", env=env, check=False
    )
    assert again.returncode == 1 and "Interaction has already been resolved" in again.stderr
    box = {
        "kind": "request_checkbox_confirmation",
        "payload": {
            "version": 1,
            "prompt": "Pick",
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        },
    }
    made = cli_json("issue", "interaction:create", root["id"], "--payload-json", json.dumps(box), env=env)
    picked = cli_json(
        "issue", "interaction:accept", root["id"], made["id"], "--selected-option-ids", "b,a", env=env
    )
    assert picked["result"]["selectedOptionIds"] == ["a", "b"]

    hold = httpx.post(f"{api}/api/issues/{root['id']}/tree-holds", json={"mode": "pause"}).json()["hold"]
    state = cli_json("issue", "tree-state", child["id"], env=env)
    assert state["activePauseHold"]["holdId"] == hold["id"] and state["activePauseHold"]["isRoot"] is False
    listed = cli_json("issue", "tree-holds", root["id"], "--status", "active", "--include-members", env=env)
    assert [h["id"] for h in listed] == [hold["id"]] and len(listed[0]["members"]) == 2
    assert cli_json("issue", "tree-hold:get", root["id"], hold["id"], env=env)["mode"] == "pause"

    said = httpx.post(
        f"{api}/api/issues/{child['id']}/comments",
        json={"body": "from the agent"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert said.status_code == 409  # the subtree is paused
    httpx.post(f"{api}/api/issues/{root['id']}/tree-holds/{hold['id']}/release", json={})
    said = httpx.post(
        f"{api}/api/issues/{child['id']}/comments",
        json={"body": "from the agent"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert said.status_code == 201, said.text
    vote = httpx.post(
        f"{api}/api/issues/{child['id']}/feedback-votes",
        json={"targetType": "issue_comment", "targetId": said.json()["id"], "vote": "down", "reason": "no"},
    ).json()
    assert [v["id"] for v in cli_json("issue", "feedback:votes", child["id"], env=env)] == [vote["id"]]
    traces = cli_json("issue", "feedback:list", child["id"], "--vote", "down", env=env)
    assert [t["feedbackVoteId"] for t in traces] == [vote["id"]]
    assert cli_json("company", "feedback:list", "--vote", "up", env=env) == []
    out = tmp_path / "traces.ndjson"
    wrote = cli("issue", "feedback:export", child["id"], "--out", str(out), env=env)
    assert wrote.stdout.strip() == f"Wrote 1 feedback trace(s) to {out}"
    assert [json.loads(line)["feedbackVoteId"] for line in out.read_text().splitlines()] == [vote["id"]]
    as_json = json.loads(cli("company", "feedback:export", "--format", "json", env=env).stdout)
    assert [t["id"] for t in as_json] == [traces[0]["id"]]
    bad = cli("company", "feedback:export", "--format", "xml", env=env, check=False)
    assert bad.returncode == 2

    assert cli_json("issue", "recovery-actions", root["id"], env=env) == {"active": None, "actions": []}

"""`paperclipai agent claude-login` as a real process against a live server of ours: the server runs
the agent's Claude CLI (`<command> login`) and the command prints its answer."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from server.conftest import free_port, start  # noqa: F401
from test_client_cli import cli, cli_json, client_env, server_url  # noqa: F401

pytestmark = pytest.mark.timeout(300)


def test_agent_claude_login(client_env, tmp_path: Path):  # noqa: F811
    script = tmp_path / "fake-claude"
    script.write_text('#!/bin/sh\necho "Visit https://claude.ai/oauth/authorize?c=1 ($1)"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = client_env
    company = cli_json("company", "create", "--payload-json", json.dumps({"name": "Login Co"}), env=env)
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}
    agent = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps(
            {"name": "Claude", "adapterType": "claude_local", "adapterConfig": {"command": str(script)}}
        ),
        env=env,
    )
    answer = cli_json("agent", "claude-login", agent["id"], env=env)
    assert answer["exitCode"] == 0 and answer["loginUrl"] == "https://claude.ai/oauth/authorize"
    assert "(login)" in answer["stdout"]
    process = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps({"name": "Proc", "adapterType": "process", "adapterConfig": {"command": "true"}}),
        env=env,
    )
    refused = cli("agent", "claude-login", process["id"], env=env, check=False)
    assert refused.returncode == 1 and "Login is only supported for claude_local agents" in refused.stderr

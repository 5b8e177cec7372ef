"""The client CLI end to end: real `paperclipai` processes against a live server of ours (real HTTP,
real PostgreSQL), as an operator and as an agent inside a heartbeat run."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from server.conftest import free_port, start  # noqa: F401

from paperclip.cli.client.catalog import GROUPS
from paperclip.cli.entry import CLIENT_GROUPS

pytestmark = pytest.mark.timeout(300)


def cli(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "paperclip", *args], env=env, capture_output=True, text=True, timeout=60
    )
    if check:
        assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def cli_json(*args: str, env: dict[str, str]):
    return json.loads(cli(*args, "--json", env=env).stdout)


@pytest.fixture
def server_url(start, database_url):  # noqa: F811
    port = free_port()
    server = start(
        "run",
        env={
            "PORT": str(port),
            "DATABASE_URL": database_url,
            "PAPERCLIP_DEPLOYMENT_MODE": "local_trusted",
            "HEARTBEAT_SCHEDULER_ENABLED": "true",
        },
    )
    server.wait_healthy(port)
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def client_env(tmp_path: Path, server_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERCLIP_")}
    env.update(
        {"PAPERCLIP_HOME": str(tmp_path / "client-home"), "PAPERCLIP_API_URL": server_url, "COLUMNS": "200"}
    )
    return env


def test_client_groups_of_the_entry_point_are_the_catalog():
    assert set(GROUPS) == CLIENT_GROUPS


def test_operator_session(client_env):
    env = client_env
    company = cli_json(
        "company", "create", "--payload-json", json.dumps({"name": "Acme", "issuePrefix": "ACM"}), env=env
    )
    assert company["issuePrefix"] == "ACM"
    assert company["id"] in [c["id"] for c in cli_json("company", "list", env=env)]
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}

    agent = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps(
            {
                "name": "Builder",
                "role": "engineer",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
            }
        ),
        env=env,
    )
    assert [a["id"] for a in cli_json("agent", "list", env=env)] == [agent["id"]]

    issue = cli_json(
        "issue",
        "create",
        "--title",
        "Write the plan",
        "--description",
        "first task",
        "--priority",
        "high",
        "--assignee-agent-id",
        agent["id"],
        env=env,
    )
    assert issue["identifier"] == "ACM-1" and issue["priority"] == "high"
    cli_json("issue", "create", "--title", "Something else", env=env)

    matched = cli_json("issue", "list", "--match", "plan", env=env)
    assert [i["identifier"] for i in matched] == ["ACM-1"]
    assert cli_json("issue", "get", "ACM-1", env=env)["id"] == issue["id"]

    updated = cli_json(
        "issue", "update", issue["id"], "--status", "in_progress", "--comment", "starting", env=env
    )
    assert updated["status"] == "in_progress"
    cli_json("issue", "comment", issue["id"], "--body", "halfway there", env=env)
    bodies = [c["body"] for c in cli_json("issue", "comments", issue["id"], env=env)]
    assert "halfway there" in bodies and "starting" in bodies

    dashboard = cli_json("dashboard", "get", env=env)
    assert dashboard["companyId"] == company["id"]
    actions = {entry["action"] for entry in cli_json("activity", "list", env=env)}
    assert {"issue.created", "issue.updated", "issue.comment_added"} <= actions

    # People get a table: identifiers and titles, no JSON braces.
    table = cli("issue", "list", env=env).stdout
    assert "ACM-1" in table and "Write the plan" in table and "{" not in table


def test_agent_heartbeat_drives_the_cli_with_the_run_environment(client_env, tmp_path: Path):
    """Inside a run the CLI needs no flags: PAPERCLIP_API_URL / _API_KEY / _RUN_ID / _TASK_ID come from the run."""
    env = client_env
    script = tmp_path / "agent.sh"
    script.write_text(f"""#!/bin/sh
set -e
PC="{sys.executable} -m paperclip"
$PC agent me --json > {tmp_path}/me.json
$PC agent inbox --json > {tmp_path}/inbox.json
$PC issue heartbeat-context "$PAPERCLIP_TASK_ID" --json > {tmp_path}/context.json
$PC issue checkout "$PAPERCLIP_TASK_ID" --json > {tmp_path}/checkout.json
$PC issue comment "$PAPERCLIP_TASK_ID" --body "plan written by $PAPERCLIP_AGENT_ID" --json > /dev/null
$PC issue update "$PAPERCLIP_TASK_ID" --status done --json > /dev/null
""")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    company = cli_json(
        "company", "create", "--payload-json", json.dumps({"name": "Beta", "issuePrefix": "BET"}), env=env
    )
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}
    agent = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps(
            {
                "name": "Worker",
                "role": "engineer",
                "adapterType": "process",
                "adapterConfig": {"command": str(script)},
            }
        ),
        env=env,
    )
    issue = cli_json(
        "issue", "create", "--title", "Do it", "--status", "todo", "--assignee-agent-id", agent["id"], env=env
    )

    deadline = time.monotonic() + 90
    while True:  # the assignment wakes the agent; its process uses the CLI and finishes the issue
        current = cli_json("issue", "get", issue["id"], env=env)
        if current["status"] == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    runs = httpx.get(f"{env['PAPERCLIP_API_URL']}/api/companies/{company['id']}/heartbeat-runs").json()
    assert current["status"] == "done", runs
    assert json.loads((tmp_path / "me.json").read_text())["id"] == agent["id"]
    assert [i["id"] for i in json.loads((tmp_path / "inbox.json").read_text())] == [issue["id"]]
    assert json.loads((tmp_path / "context.json").read_text())["issue"]["title"] == "Do it"
    checkout = json.loads((tmp_path / "checkout.json").read_text())
    assert checkout["assigneeAgentId"] == agent["id"] and checkout["status"] == "in_progress"
    comments = cli_json("issue", "comments", issue["id"], env=env)
    assert f"plan written by {agent['id']}" in [c["body"] for c in comments]
    assert {c["authorAgentId"] for c in comments if c["body"].startswith("plan written")} == {agent["id"]}


def test_exit_codes_tell_usage_refusal_and_connection_apart(client_env):
    env = client_env
    missing_company = cli("issue", "list", env=env, check=False)
    assert missing_company.returncode == 2 and "-C/--company-id" in missing_company.stderr
    bad_type = cli("issue", "comments", "x", "--limit", "many", env=env, check=False)
    assert bad_type.returncode == 2 and "--limit" in bad_type.stderr
    refused = cli("issue", "get", "00000000-0000-0000-0000-000000000000", env=env, check=False)
    assert refused.returncode == 1 and "404" in refused.stderr and "not found" in refused.stderr.lower()
    bad_json = cli("company", "create", "--payload-json", "{nope", env=env, check=False)
    assert bad_json.returncode == 2 and "--payload-json" in bad_json.stderr
    down = cli("health", env={**env, "PAPERCLIP_API_URL": f"http://127.0.0.1:{free_port()}"}, check=False)
    assert down.returncode == 3 and "cannot reach" in down.stderr
    assert cli_json("health", env=env)["status"] == "ok"


def test_context_profiles_set_use_and_feed_the_connection(client_env, tmp_path: Path):
    env = {k: v for k, v in client_env.items() if k != "PAPERCLIP_API_URL"}
    url = client_env["PAPERCLIP_API_URL"]
    shown = cli_json(
        "context", "set", "--profile", "work", "--api-base", url, "--persona", "board", "--use", env=env
    )
    path = Path(shown["contextPath"])
    assert shown["currentProfile"] == "work" and shown["profile"]["apiBase"] == url
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["profiles"]["work"] == {"apiBase": url, "persona": "board"}
    assert cli_json("health", env=env)["status"] == "ok"  # the profile's API base is used
    assert cli("context", "use", "nope", env=env, check=False).returncode == 2
    assert {p["name"] for p in cli_json("context", "list", env=env)} == {"default", "work"}
    cli_json("context", "use", "default", env=env)
    assert cli_json("context", "show", env=env)["profileName"] == "default"


def test_every_catalog_path_can_be_filled():
    """Each {placeholder} of a command's route comes from a positional, a flag, or the company context."""
    import re

    for group, (_, commands) in GROUPS.items():
        for cmd in commands:
            sources = set(cmd.args) | {o.dest for o in cmd.opts if o.to == "local"} | {"companyId"}
            missing = set(re.findall(r"\{(\w+)\}", cmd.path)) - sources
            assert not missing, f"{group} {cmd.name}: {missing}"
            assert len({o.dest for o in cmd.opts}) == len(cmd.opts), f"{group} {cmd.name}: duplicate flags"

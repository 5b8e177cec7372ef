"""`paperclipai environment ...` and `feedback trace|bundle` as real processes against a live server of
ours (the original CLI's command and flag names)."""

from __future__ import annotations

import json

import pytest
from server.conftest import free_port, start  # noqa: F401
from test_client_cli import cli, cli_json, client_env, server_url  # noqa: F401

pytestmark = pytest.mark.timeout(300)


def test_environment_commands(client_env):  # noqa: F811
    env = client_env
    company = cli_json("company", "create", "--payload-json", json.dumps({"name": "Env Co"}), env=env)
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}
    (local,) = cli_json("environment", "list", env=env)
    assert local["name"] == "Local" and local["driver"] == "local"
    assert cli_json("environment", "get", local["id"], env=env)["id"] == local["id"]
    assert cli_json("environment", "capabilities", env=env)["drivers"]["local"] == "supported"
    renamed = cli_json(
        "environment",
        "update",
        local["id"],
        "--payload-json",
        json.dumps({"description": "this box"}),
        env=env,
    )
    assert renamed["description"] == "this box"
    assert cli_json("environment", "probe", local["id"], env=env)["ok"] is True
    probe = cli_json(
        "environment", "probe-config", "--payload-json", json.dumps({"driver": "local"}), env=env
    )
    assert probe["driver"] == "local"
    assert isinstance(cli_json("environment", "leases", local["id"], env=env), list)
    refused = cli(
        "environment",
        "create",
        "--payload-json",
        json.dumps({"name": "x", "driver": "local"}),
        env=env,
        check=False,
    )
    assert refused.returncode == 1 and "A local environment already exists" in refused.stderr
    refused = cli("environment", "delete", local["id"], env=env, check=False)
    assert refused.returncode == 1 and "Cannot delete the managed local environment." in refused.stderr
    missing = cli("feedback", "bundle", "00000000-0000-0000-0000-000000000000", env=env, check=False)
    assert missing.returncode == 1 and "Feedback trace not found" in missing.stderr

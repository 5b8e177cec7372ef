"""Our `paperclipai agent instructions-*` commands as real processes against a live server of ours:
--path is the bundle-relative path (sent as is), --content-file reads the content from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from server.conftest import free_port, start  # noqa: F401
from test_client_cli import cli, cli_json, client_env, server_url  # noqa: F401

pytestmark = pytest.mark.timeout(300)


def test_instructions_bundle_commands(client_env, tmp_path: Path):  # noqa: F811
    env = client_env
    company = cli_json("company", "create", "--payload-json", json.dumps({"name": "Docs Co"}), env=env)
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}
    agent = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps({"name": "Scribe", "adapterType": "claude_local", "adapterConfig": {}}),
        env=env,
    )
    aid = agent["id"]
    assert cli_json("agent", "instructions-bundle", aid, env=env)["mode"] is None
    bundle = cli_json(
        "agent", "instructions-bundle:update", aid, "--payload-json", json.dumps({"mode": "managed"}), env=env
    )
    assert bundle["mode"] == "managed" and [f["path"] for f in bundle["files"]] == ["AGENTS.md"]

    put = cli_json(
        "agent", "instructions-file:put", aid, "--path", "AGENTS.md", "--content", "Be brief.", env=env
    )
    assert put["content"] == "Be brief." and put["isEntryFile"] is True
    source = tmp_path / "tools.md"
    source.write_text("# Tools\n")
    put = cli_json(
        "agent",
        "instructions-file:put",
        aid,
        "--path",
        "docs/tools.md",
        "--content-file",
        str(source),
        env=env,
    )
    assert (put["path"], put["content"]) == ("docs/tools.md", "# Tools\n")
    got = cli_json("agent", "instructions-file:get", aid, "--path", "docs/tools.md", env=env)
    assert got["content"] == "# Tools\n"
    after = cli_json("agent", "instructions-file:delete", aid, "--path", "docs/tools.md", env=env)
    assert [f["path"] for f in after["files"]] == ["AGENTS.md"]
    refused = cli("agent", "instructions-file:get", aid, "--path", "docs/tools.md", env=env, check=False)
    assert refused.returncode == 1 and "Instructions file not found" in refused.stderr
    climbing = cli(
        "agent", "instructions-file:put", aid, "--path", "../x.md", "--content", "x", env=env, check=False
    )
    assert climbing.returncode == 1 and "must stay within the bundle root" in climbing.stderr

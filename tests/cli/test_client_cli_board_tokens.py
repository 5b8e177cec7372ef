"""`paperclipai token board create|list|revoke` (the original CLI's board-key commands) as real
processes against a live server in authenticated mode, acting with a signed-in user's board key."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from auth.conftest import live, live_factory  # noqa: F401


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperclip", *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_board_key_commands(live, tmp_path):  # noqa: F811
    http, user = await live.sign_up()
    await live.make_admin(user["id"])
    token = (await http.post("/api/board-api-keys", json={"name": "bootstrap"})).json()["token"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERCLIP_")}
    env.update(
        {
            "PAPERCLIP_HOME": str(tmp_path / "home"),
            "PAPERCLIP_API_URL": live.base_url,
            "PAPERCLIP_API_KEY": token,
        }
    )

    async def run(*args: str) -> subprocess.CompletedProcess:
        return await asyncio.to_thread(_cli, *args, env=env)

    made = await run("token", "board", "create", "--name", "ci", "--ttl-days", "3", "--json")
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    assert key["name"] == "ci" and key["token"].startswith("pcp_board_")
    expires = datetime.fromisoformat(key["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=3))) < timedelta(hours=1)
    default = json.loads((await run("token", "board", "create", "--json")).stdout)
    assert default["name"] == "cli-board" and default["expiresAt"]
    forever = json.loads(
        (await run("token", "board", "create", "--name", "forever", "--never-expires", "--json")).stdout
    )
    assert forever["expiresAt"] is None  # the body's explicit null means never, not the 30-day default

    listed = json.loads((await run("token", "board", "list", "--json")).stdout)
    assert {k["name"] for k in listed} == {"bootstrap", "ci", "cli-board", "forever"} and all(
        "token" not in k for k in listed
    )
    table = (await run("token", "board", "list")).stdout
    assert "ci" in table and key["token"] not in table

    revoked = await run("token", "board", "revoke", key["id"], "--json")
    assert revoked.returncode == 0 and json.loads(revoked.stdout) == {"ok": True, "keyId": key["id"]}
    new_client = dict(env, PAPERCLIP_API_KEY=key["token"])
    refused = await asyncio.to_thread(_cli, "whoami", "--json", env=new_client)
    assert refused.returncode == 1  # the revoked key no longer acts

    both = await run("token", "board", "create", "--never-expires", "--ttl-days", "2")
    assert both.returncode == 2 and "cannot be combined" in both.stderr
    missing = await run("token", "board", "revoke", "00000000-0000-0000-0000-000000000000")
    assert missing.returncode == 1 and "Board API key not found" in missing.stderr

"""`paperclipai auth login` as a real subprocess against a live authenticated server."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

CLI = Path(sys.executable).parent / "paperclipai"


async def test_cli_login_whoami_logout(live, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAPERCLIP_")},
        "PAPERCLIP_HOME": str(tmp_path),
        "NO_COLOR": "1",
        "COLUMNS": "250",
    }
    out = tmp_path / "login.out"
    with out.open("wb") as handle:
        proc = subprocess.Popen(
            [str(CLI), "auth", "login", "--api-base", live.base_url, "--wait", "60"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        url = None
        for _ in range(300):
            found = re.search(
                r"/cli-auth/([0-9a-f-]{36})\?token=(pcp_cli_auth_[0-9a-f]{48})", out.read_text()
            )
            if found:
                url = found
                break
            await asyncio.sleep(0.1)
        assert url, out.read_text()
        http, user = await live.sign_up(email="cli@example.com")
        r = await http.post(f"/api/cli-auth/challenges/{url.group(1)}/approve", json={"token": url.group(2)})
        assert r.status_code == 200, r.text
        for _ in range(300):
            if proc.poll() is not None:
                break
            await asyncio.sleep(0.1)
        assert proc.returncode == 0, out.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    stored = tmp_path / "auth.json"
    assert stored.stat().st_mode & 0o777 == 0o600 and "pcp_board_" in stored.read_text()
    whoami = await asyncio.to_thread(
        subprocess.run,
        [str(CLI), "auth", "whoami", "--api-base", live.base_url],
        env=env,
        capture_output=True,
        text=True,
    )
    assert whoami.returncode == 0 and "cli@example.com" in whoami.stdout, whoami.stdout + whoami.stderr
    # the client commands use the stored login when no key is given
    listed = await asyncio.to_thread(
        subprocess.run,
        [str(CLI), "company", "list", "--api-base", live.base_url, "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    logout = await asyncio.to_thread(
        subprocess.run,
        [str(CLI), "auth", "logout", "--api-base", live.base_url],
        env=env,
        capture_output=True,
        text=True,
    )
    assert logout.returncode == 0
    again = await asyncio.to_thread(
        subprocess.run,
        [str(CLI), "auth", "whoami", "--api-base", live.base_url],
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1

"""Plant known secrets — a company secret bound into an agent's env under an innocent name, a board
API key, a session token, the admin's password — exercise a real server with them (runs that print
them, in argv too, a failing run, refused and malformed requests carrying them, a backup), then read
every file under the instance home (backups decompressed), the server's console output and every
response: none of the values may appear (issue 15).

The one response that hands a value out by design (the board key's creation) is not searched; the
database is external here, so every file under the home is something the instance wrote itself.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .conftest import CLI, base_env, free_port

ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "planted-admin-password-31415"
COMPANY_SECRET = "planted-company-secret-27182"


def _files(root: Path) -> dict[Path, bytes]:
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            found[path] = data
    return found


def test_planted_secrets_appear_in_no_file_log_or_response(
    start, onboard, database_url: str, paperclip_home: Path, tmp_path: Path
):
    onboard("authenticated")
    port = free_port()
    env = {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "PAPERCLIP_ADMIN_EMAIL": ADMIN_EMAIL,
        "PAPERCLIP_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    server = start("run", env=env)
    server.wait_healthy(port)
    base = f"http://127.0.0.1:{port}"
    responses: list[str] = []

    def keep(response: httpx.Response) -> httpx.Response:
        responses.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        return response

    browser = httpx.Client(base_url=base, headers={"origin": base}, timeout=30)
    deadline = time.monotonic() + 60  # the admin is made by the background process once it has started
    while (
        signed_in := browser.post(
            "/api/auth/sign-in/email", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
    ).status_code != 200:
        assert time.monotonic() < deadline, signed_in.text
        time.sleep(0.5)
    session = browser.cookies.get("paperclip-default.session_token")
    board_key = browser.post("/api/board-api-keys", json={"name": "script"}).json()["token"]
    planted = {
        "company secret": COMPANY_SECRET,
        "admin password": ADMIN_PASSWORD,
        "session": session,
        "board key": board_key,
    }
    assert all(planted.values())

    script = tmp_path / "agent.py"
    script.write_text(
        "import os, subprocess, sys\n"
        "value = os.environ['WIDGET_SETTING']\n"
        "print('stdout:', value, flush=True)\n"
        "print('stderr:', value, file=sys.stderr, flush=True)\n"
        "subprocess.run([sys.executable, '-c', 'import sys; print(sys.argv)', value], check=True)\n"
        "sys.exit(3 if os.environ.get('PAPERCLIP_WAKE_REASON') == 'fail' else 0)\n"
    )
    api = httpx.Client(base_url=base, headers={"authorization": f"Bearer {board_key}"}, timeout=30)
    company = keep(api.post("/api/companies", json={"name": "Planted Co"})).json()
    secret = keep(
        api.post(
            f"/api/companies/{company['id']}/secrets",
            json={"name": "Widget setting", "value": COMPANY_SECRET},
        )
    ).json()
    agent = keep(
        api.post(
            f"/api/companies/{company['id']}/agents",
            json={
                "name": "Printer",
                "adapterType": "process",
                "adapterConfig": {
                    "command": sys.executable,
                    "args": [str(script)],
                    "env": {
                        "WIDGET_SETTING": {
                            "type": "secret_ref",
                            "secretId": secret["id"],
                            "version": "latest",
                        }
                    },
                },
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        )
    ).json()
    assert "id" in agent, agent

    runs = [
        keep(
            api.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand", "reason": reason})
        ).json()
        for reason in ("ok", "fail")
    ]
    for run in runs:
        deadline = time.monotonic() + 60
        while (detail := keep(api.get(f"/api/heartbeat-runs/{run['id']}")).json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, detail
            time.sleep(0.2)
        keep(api.get(f"/api/heartbeat-runs/{run['id']}/events"))
        log = keep(api.get(f"/api/heartbeat-runs/{run['id']}/log")).text
        assert "stdout:" in log and "stderr:" in log  # the runs did print (masked)
    keep(api.get(f"/api/companies/{company['id']}/heartbeat-runs"))
    keep(api.get(f"/api/companies/{company['id']}/activity"))
    keep(api.get(f"/api/agents/{agent['id']}"))

    # Refused and malformed requests carrying the values where they do not belong.
    keep(httpx.get(f"{base}/api/companies?token={board_key}&q={COMPANY_SECRET}", timeout=30))
    keep(
        httpx.get(f"{base}/api/no-such-route", headers={"authorization": f"Bearer {board_key}x"}, timeout=30)
    )
    keep(api.post("/api/companies", json={"name": 42, "description": COMPANY_SECRET}))
    keep(
        api.post(
            "/api/companies",
            content=f'{{"name": "{COMPANY_SECRET}"',
            headers={"content-type": "application/json"},
        )
    )
    keep(
        api.patch(
            f"/api/agents/{agent['id']}",
            json={"adapterConfig": {"env": {"X": {"type": "nope", "value": ADMIN_PASSWORD}}}},
        )
    )
    keep(
        browser.post("/api/auth/sign-in/email", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD + "!"})
    )
    keep(
        httpx.get(
            f"{base}/api/companies", cookies={"paperclip-default.session_token": session + "x"}, timeout=30
        )
    )

    backup = subprocess.run(
        [str(CLI), "db:backup"],
        env=base_env(paperclip_home, env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert backup.returncode == 0, backup.stdout + backup.stderr
    browser.close()
    api.close()
    assert server.terminate() == 0

    files = _files(paperclip_home)
    assert any(p.suffix == ".gz" for p in files) and any(p.name == "server.log" for p in files)
    assert any("run-logs" in p.parts or "run_logs" in str(p) for p in files), sorted(map(str, files))
    outputs = {
        "server stdout": server.stdout,
        "server stderr": server.stderr,
        "backup command": backup.stdout + backup.stderr,
        "responses": "\n".join(responses),
    }
    leaks = [
        (what, str(path.relative_to(paperclip_home)))
        for path, data in files.items()
        for what, value in planted.items()
        if value.encode() in data
    ]
    leaks += [
        (what, where) for where, text in outputs.items() for what, value in planted.items() if value in text
    ]
    lines = [
        line
        for path, data in files.items()
        for line in data.decode("utf-8", "replace").splitlines()
        if any(value in line for value in planted.values())
    ]
    assert leaks == [], lines[:5]
    assert os.path.isdir(paperclip_home)

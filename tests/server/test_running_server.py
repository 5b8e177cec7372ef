"""A real server process: port fallback, health and hostname guard, request log and redaction, SIGTERM."""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path

import httpx

from .conftest import free_port

BUSY_PORT_RE = re.compile(
    r"Requested port is busy; using next free port \(requestedPort=(\d+), selectedPort=(\d+)\)"
)


def test_local_trusted_moves_to_the_next_free_port_and_stops_on_sigterm(start, onboard, database_url: str):
    onboard("local_trusted")
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen(1)
        server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url})
        match = None
        for _ in range(400):
            match = BUSY_PORT_RE.search(server.stderr)
            if match or server.proc.poll() is not None:
                break
            time.sleep(0.3)
        assert match, server.stderr + server.stdout
        assert int(match.group(1)) == port and int(match.group(2)) != port
        selected = int(match.group(2))
        assert server.wait_healthy(selected).status_code == 200
    assert server.terminate(timeout=10) == 0
    assert "Paperclip server stopped" in server.stderr


def test_authenticated_health_and_hostname_guard(start, onboard, database_url: str):
    onboard("authenticated")
    port = free_port()
    server = start("run", env={"HOST": "127.0.0.1", "PORT": str(port), "DATABASE_URL": database_url})
    health = server.wait_healthy(port)
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["deploymentMode"] == "authenticated" and body["deploymentExposure"] == "private"
    assert body["bootstrapStatus"] == "bootstrap_pending"
    evil = httpx.get(f"http://127.0.0.1:{port}/api/health", headers={"host": "evil.example"}, timeout=10)
    assert evil.status_code == 403
    assert "This hostname is not allowed for this Paperclip instance" in evil.json()["error"]
    assert "evil.example" not in evil.text  # never echo request data into a hint meant for a shell
    plain = httpx.get(
        f"http://127.0.0.1:{port}/", headers={"host": "evil.example", "accept": "text/html"}, timeout=10
    )
    assert plain.status_code == 403 and plain.headers["content-type"].startswith("text/plain")
    assert server.terminate() == 0


def test_allowed_hostname_is_accepted_after_restart(start, onboard, database_url: str, paperclip_home: Path):
    onboard("authenticated")
    from typer.testing import CliRunner

    from paperclip.cli.main import app

    result = CliRunner().invoke(
        app, ["allowed-hostname", "Board.Example:3100", "--data-dir", str(paperclip_home)]
    )
    assert result.exit_code == 0, result.output
    port = free_port()
    server = start("run", env={"HOST": "127.0.0.1", "PORT": str(port), "DATABASE_URL": database_url})
    assert server.wait_healthy(port, host_header="board.example").status_code == 200
    assert server.terminate() == 0


SECRETS = {
    "header": "sekret-header-7f3a",
    "cookie": "sekret-cookie-91bc",
    "query": "sekret-query-55de",
    "password": "sekret-password-a1a1",
    "api_key": "sekret-apikey-b2b2",
}


def _send_secret_requests(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    httpx.post(
        f"{base}/api/no-such-route?token={SECRETS['query']}&page=2",
        headers={"authorization": f"Bearer {SECRETS['header']}", "cookie": f"session={SECRETS['cookie']}"},
        json={"password": SECRETS["password"]},
        timeout=10,
    )
    # A request whose body the application reads and rejects: the body is logged, redacted.
    httpx.post(
        f"{base}/api/companies?access_token={SECRETS['query']}",
        cookies={"sid": SECRETS["cookie"]},
        json={
            "name": 42,
            "password": SECRETS["password"],
            "apiKey": SECRETS["api_key"],
            "nested": {"currentPassword": SECRETS["password"]},
        },
        timeout=10,
    )


def test_request_log_lines_and_redaction_in_server_log(
    start, onboard, database_url: str, paperclip_home: Path
):
    onboard("local_trusted")
    port = free_port()
    server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url})
    server.wait_healthy(port)
    _send_secret_requests(port)
    assert server.terminate() == 0
    log = (paperclip_home / "instances" / "default" / "logs" / "server.log").read_text()
    for value in SECRETS.values():
        assert value not in log and value not in server.stderr and value not in server.stdout
    line = next(row for row in log.splitlines() if "/api/no-such-route" in row)
    # A refused request keeps only its query's parameter names (issue 15), like its body is never kept.
    assert re.search(r"POST /api/no-such-route\?token=\*\*\*&page=\*\*\* 404 [\d.]+ms", line), line
    rejected = next(row for row in log.splitlines() if "/api/companies" in row)
    assert re.search(r"POST /api/companies\?access_token=\*\*\* 4\d\d ", rejected), rejected
    # A rejected request's body is never logged, not even masked (issue 15): only method, path, status, time.
    for field in ("password", "apiKey", "currentPassword", "'name': 42"):
        assert field not in rejected, rejected


def test_json_log_mode_writes_structured_request_lines(
    start, onboard, database_url: str, paperclip_home: Path
):
    onboard("local_trusted")
    port = free_port()
    server = start(
        "run", env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_LOG_FORMAT": "json"}
    )
    server.wait_healthy(port)
    _send_secret_requests(port)
    assert server.terminate() == 0
    assert json.loads(server.stdout.strip().splitlines()[0])["event"] == "paperclip.started"
    records = [
        json.loads(row)
        for row in (paperclip_home / "instances" / "default" / "logs" / "server.log").read_text().splitlines()
    ]
    requests = [r for r in records if r.get("logger") == "paperclip.http" and "no-such-route" in r["event"]]
    assert requests and requests[0]["http"]["method"] == "POST" and requests[0]["http"]["status"] == 404
    assert isinstance(requests[0]["http"]["duration_ms"], (int, float))
    dumped = json.dumps(records)
    for value in SECRETS.values():
        assert value not in dumped


def test_health_is_503_when_the_database_goes_away(start, onboard, database_url: str, pg_server: str):
    import psycopg

    onboard("local_trusted")
    port = free_port()
    server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url})
    assert server.wait_healthy(port).status_code == 200
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)')
    response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=30)
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy" and response.json()["error"] == "database_unreachable"
    assert server.terminate() == 0
    # Logged tracebacks are plain: rich's per-frame locals could print secrets and stalled the event loop.
    assert "locals ─" not in server.stderr

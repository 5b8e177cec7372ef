"""The README path: `onboard --yes` on a fresh home starts the embedded PostgreSQL and the server;
SIGTERM stops both."""

from __future__ import annotations

import socket
from pathlib import Path

from .conftest import free_port


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_onboard_yes_runs_on_embedded_postgres_and_sigterm_stops_everything(start, paperclip_home: Path):
    port, pg_port = free_port(), free_port()
    server = start(
        "onboard", "--yes", env={"PORT": str(port), "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(pg_port)}
    )
    health = server.wait_healthy(port)
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok" and health.json()["deploymentMode"] == "local_trusted"
    assert port_open(pg_port)
    assert "embedded PostgreSQL" in server.stdout and f"127.0.0.1:{pg_port}/paperclip" in server.stdout
    assert "paperclip:***@" in server.stdout  # the banner masks the database password
    assert (paperclip_home / "instances" / "default" / "config.json").exists()

    assert server.terminate(timeout=10) == 0
    assert not port_open(pg_port), "the embedded PostgreSQL must stop with the server"

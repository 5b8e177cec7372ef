"""Rolling deploys: two `paperclipai run` replicas on one database. Stopping one (SIGTERM) finishes the
request it is serving, kills none of the other replica's runs, and the other takes the new work; a
replica whose code is older than the database's schema refuses to start, naming the revision."""

from __future__ import annotations

import json
import socket
import sys
import time
from pathlib import Path

import httpx
import psycopg

from .conftest import free_port


def _post_slowly(port: int, path: str, body: dict) -> tuple[socket.socket, bytes]:
    """A request whose body is still arriving: headers and half the body now, the rest later."""
    payload = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode()
    sock.sendall(head + payload[: len(payload) // 2])
    return sock, payload[len(payload) // 2 :]


def _read_status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def test_sigterm_drains_in_flight_requests_and_kills_none_of_the_other_replicas_runs(
    start, onboard, database_url: str, tmp_path: Path
):
    onboard("local_trusted")
    ports = [free_port(), free_port()]
    env = {"DATABASE_URL": database_url, "PAPERCLIP_HEARTBEAT_PROCESS": "inline"}
    replicas = [start("run", env={**env, "PORT": str(port)}) for port in ports]
    for replica, port in zip(replicas, ports, strict=True):
        assert replica.wait_healthy(port).status_code == 200
    parent_file, done_file = tmp_path / "parent", tmp_path / "done"
    script = tmp_path / "agent.py"
    script.write_text(
        f"import os, time\nopen({str(parent_file)!r}, 'w').write(str(os.getppid()))\n"
        f"time.sleep(4)\nopen({str(done_file)!r}, 'w').write('done')\n"
    )
    first = httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=15)
    company = first.post("/api/companies", json={"name": "Rolling Co"}).json()
    agent = first.post(
        f"/api/companies/{company['id']}/agents",
        json={
            "name": "Slow",
            "adapterType": "process",
            "adapterConfig": {"command": sys.executable, "args": [str(script)]},
            "runtimeConfig": {"heartbeat": {"enabled": False}},
        },
    ).json()
    run = first.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"}).json()
    deadline = time.monotonic() + 30
    while not parent_file.exists() or not parent_file.read_text():
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.1)
    runner_pid = int(parent_file.read_text())
    assert runner_pid in (replicas[0].proc.pid, replicas[1].proc.pid)
    stopping = 1 if replicas[0].proc.pid == runner_pid else 0
    survivor = 1 - stopping

    # the replica that is not running the agent stops while a request's body is still arriving
    sock, rest = _post_slowly(ports[stopping], "/api/companies", {"name": "Drained Co"})
    time.sleep(0.3)
    replicas[stopping].proc.send_signal(15)
    time.sleep(0.5)
    sock.sendall(rest)
    assert _read_status(sock) == 201  # finished, not dropped
    sock.close()
    assert replicas[stopping].finish(timeout=10) == 0

    other = httpx.Client(base_url=f"http://127.0.0.1:{ports[survivor]}", timeout=15)
    deadline = time.monotonic() + 30
    while (status := other.get(f"/api/heartbeat-runs/{run['id']}").json()["status"]) in ("queued", "running"):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    assert status == "succeeded" and done_file.read_text() == "done"  # never killed
    # new work goes to the replica still running
    parent_file.unlink()
    again = other.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"}).json()
    deadline = time.monotonic() + 30
    while (status := other.get(f"/api/heartbeat-runs/{again['id']}").json()["status"]) in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    assert status == "succeeded" and int(parent_file.read_text()) == replicas[survivor].proc.pid
    names = [c["name"] for c in other.get("/api/companies").json()]
    assert "Drained Co" in names
    first.close()
    other.close()
    assert replicas[survivor].terminate(timeout=10) == 0


def test_a_replica_older_than_the_schema_refuses_to_start_and_changes_nothing(
    start, onboard, database_url: str
):
    onboard("local_trusted")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_a_newer_release'")
    port = free_port()
    server = start("run", env={"DATABASE_URL": database_url, "PORT": str(port)})
    assert server.finish(timeout=60) == 1
    output = server.stdout + server.stderr
    assert "9999_from_a_newer_release" in output and "a newer Paperclip has migrated it" in output
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999_from_a_newer_release",)
        ]

"""PAPERCLIP_WORKERS: several server processes share the port, each a replica; SIGTERM stops them all."""

from __future__ import annotations

import os
import time

import httpx

from .conftest import free_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has exited; only its parent has not collected it yet
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_two_workers_serve_the_port_as_two_replicas_and_stop_on_sigterm(start, onboard, database_url: str):
    onboard("local_trusted")
    port = free_port()
    server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_WORKERS": "2",
                               "HEARTBEAT_SCHEDULER_ENABLED": "true"})
    assert server.wait_healthy(port).status_code == 200
    assert "2 workers" in server.stdout

    # both workers registered as replicas, and both are children of the server process
    replicas: list[dict] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replicas = httpx.get(f"http://127.0.0.1:{port}/api/instance/scheduler-replicas", timeout=5).json()
        if len(replicas) == 2:
            break
        time.sleep(0.3)
    pids = {row["pid"] for row in replicas}
    assert len(pids) == 2 and server.proc.pid not in pids, replicas
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            assert int(stat.read().rsplit(")", 1)[1].split()[1]) == server.proc.pid

    # the API works through whichever worker accepts the connection
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        created = [http.post("/api/companies", json={"name": f"Worker Co {i}"}) for i in range(10)]
        assert all(r.status_code == 201 for r in created)
        assert len(http.get("/api/companies").json()) >= 10

    assert server.terminate(timeout=12) == 0
    assert not any(_alive(pid) for pid in pids)
    assert "Paperclip server stopped" in server.stderr


def test_workers_stop_when_the_server_process_is_killed(start, onboard, database_url: str):
    import signal

    onboard("local_trusted")
    port = free_port()
    server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_WORKERS": "2"})
    assert server.wait_healthy(port).status_code == 200
    children = set()
    deadline = time.monotonic() + 30
    while len(children) < 2 and time.monotonic() < deadline:
        with open(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children") as f:
            children = {int(pid) for pid in f.read().split()}
        time.sleep(0.2)
    assert len(children) == 2
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in children)  # nobody serves the port without its parent
    with httpx.Client(timeout=2) as http:
        try:
            http.get(f"http://127.0.0.1:{port}/api/health")
            answered = True
        except httpx.HTTPError:
            answered = False
    assert not answered

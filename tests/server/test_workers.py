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


def _children(pid: int) -> set[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return {int(child) for child in f.read().split()}


def test_two_http_workers_and_a_background_process_stop_on_sigterm(start, onboard, database_url: str):
    onboard("local_trusted")
    port = free_port()
    server = start(
        "run",
        env={
            "PORT": str(port),
            "DATABASE_URL": database_url,
            "PAPERCLIP_WORKERS": "2",
            "HEARTBEAT_SCHEDULER_ENABLED": "true",
        },
    )
    assert server.wait_healthy(port).status_code == 200
    assert "2 workers" in server.stdout
    deadline = time.monotonic() + 30
    while len(children := _children(server.proc.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(children) == 3  # two HTTP workers, one background process

    # only the background process runs heartbeats and the scheduler: one replica, a child of the server
    replicas: list[dict] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replicas = httpx.get(f"http://127.0.0.1:{port}/api/instance/scheduler-replicas", timeout=5).json()
        if replicas:
            break
        time.sleep(0.3)
    assert len(replicas) == 1 and replicas[0]["pid"] in children, replicas

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        # the API works through whichever worker accepts the connection
        created = [http.post("/api/companies", json={"name": f"Worker Co {i}"}) for i in range(10)]
        assert all(r.status_code == 201 for r in created)
        assert len(http.get("/api/companies").json()) >= 10
        # a wake-up accepted by an HTTP worker runs in the background process
        cid = created[0].json()["id"]
        agent = http.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": "Runner",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        ).json()
        run = http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"}).json()
        deadline = time.monotonic() + 30
        while (status := http.get(f"/api/heartbeat-runs/{run['id']}").json()["status"]) in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        assert status == "succeeded"

    assert server.terminate(timeout=12) == 0
    assert not any(_alive(pid) for pid in children)
    assert "Paperclip server stopped" in server.stderr


def test_workers_stop_when_the_server_process_is_killed(start, onboard, database_url: str):
    import signal

    onboard("local_trusted")
    port = free_port()
    server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_WORKERS": "2"})
    assert server.wait_healthy(port).status_code == 200
    deadline = time.monotonic() + 30
    while len(children := _children(server.proc.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(children) == 3
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


def _run_one_wakeup(port: int) -> str:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        cid = http.post("/api/companies", json={"name": "Layout Co"}).json()["id"]
        agent = http.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": "Runner",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        ).json()
        run = http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"}).json()
        deadline = time.monotonic() + 30
        while (status := http.get(f"/api/heartbeat-runs/{run['id']}").json()["status"]) in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        return status


def test_by_default_one_http_worker_and_the_background_process(start, onboard, database_url: str):
    onboard("local_trusted")
    port = free_port()
    server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url})
    assert server.wait_healthy(port).status_code == 200
    deadline = time.monotonic() + 30
    while len(children := _children(server.proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(children) == 2
    assert _run_one_wakeup(port) == "succeeded"
    assert server.terminate(timeout=12) == 0
    assert not any(_alive(pid) for pid in children)


def test_inline_heartbeats_keep_one_process(start, onboard, database_url: str):
    onboard("local_trusted")
    port = free_port()
    server = start(
        "run", env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_HEARTBEAT_PROCESS": "inline"}
    )
    assert server.wait_healthy(port).status_code == 200
    assert _children(server.proc.pid) == set() or all(not _alive(p) for p in _children(server.proc.pid))
    assert _run_one_wakeup(port) == "succeeded"
    assert server.terminate(timeout=12) == 0

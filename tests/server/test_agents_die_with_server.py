"""An agent's processes (its grandchildren included) die when the heartbeat process that started
them is killed outright (issue 15: they used to outlive a crashed server until the next start)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from .conftest import free_port


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has exited, only not been reaped yet


def _wait_until(predicate, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_kill_9_of_the_heartbeat_process_takes_its_running_agents_with_it(
    start, onboard, database_url: str, tmp_path: Path
):
    onboard("local_trusted")
    port = free_port()
    server = start("run", env={"PORT": str(port), "DATABASE_URL": database_url})
    server.wait_healthy(port)
    pids_file = tmp_path / "pids.json"
    script = tmp_path / "agent.py"
    script.write_text(
        "import json, os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        f"open({str(pids_file)!r} + '.tmp', 'w').write(json.dumps("
        "{'agent': os.getpid(), 'parent': os.getppid(), 'grandchild': child.pid}))\n"
        f"os.replace({str(pids_file)!r} + '.tmp', {str(pids_file)!r})\n"
        "time.sleep(300)\n"
    )
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
        company = http.post("/api/companies", json={"name": "Crash Co"}).json()
        agent = http.post(
            f"/api/companies/{company['id']}/agents",
            json={
                "name": "Sleeper",
                "adapterType": "process",
                "adapterConfig": {"command": sys.executable, "args": [str(script)]},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        ).json()
        http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"}).raise_for_status()
    _wait_until(pids_file.exists, "the agent never started")
    pids = json.loads(pids_file.read_text())
    assert _alive(pids["agent"]) and _alive(pids["grandchild"])
    assert pids["parent"] not in (
        server.proc.pid,
        os.getpid(),
    )  # the heartbeat process, a worker of the server

    os.kill(pids["parent"], signal.SIGKILL)
    _wait_until(
        lambda: not _alive(pids["agent"]) and not _alive(pids["grandchild"]),
        "the agent's processes outlived the heartbeat process",
    )
    server.proc.wait(timeout=30)  # one worker gone: the server stops the rest (workers.run_workers)

"""Real server processes on one database: two replicas never run a run twice; a server killed with
SIGKILL comes back, fails its lost runs with process_lost, releases their locks, kills the agent
process it left behind, and starts the queued runs."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import uuid
from pathlib import Path

import httpx
import pytest
from hb_support import Replica, SyncDb, pid_alive, write_script

TERMINAL = ("succeeded", "failed", "timed_out", "cancelled")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_two_replicas_never_run_the_same_run_twice(database_url, home, tmp_path):
    ledger = tmp_path / "ledger"
    script = write_script(
        tmp_path / "agent.py",
        f"""
        import os, time
        fd = os.open({str(ledger)!r}, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.write(fd, (os.environ["PAPERCLIP_RUN_ID"] + " " + os.environ["PAPERCLIP_AGENT_ID"] + "\\n").encode())
        time.sleep(0.05)
    """,
    )
    db = SyncDb(database_url)
    replicas = [Replica(database_url, home, free_port()), Replica(database_url, home, free_port())]
    try:
        for r in replicas:
            r.wait_ready()
        company = db.company()
        agents = [
            db.agent(company, {"command": str(script)}, {"heartbeat": {"maxConcurrentRuns": 2}})
            for _ in range(8)
        ]
        jobs = [(replicas[i % 2].url, agents[i % len(agents)]) for i in range(64)]

        def wake(job):
            url, agent = job
            res = httpx.post(f"{url}/api/agents/{agent}/wakeup", json={"reason": "race"}, timeout=30)
            assert res.status_code == 202, res.text
            return res.json()["id"]

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            run_ids = list(pool.map(wake, jobs))
        assert len(set(run_ids)) == 64
        db.wait(
            lambda: (
                db.one("SELECT count(*) FROM heartbeat_runs WHERE status IN ('queued','running')")[0] == 0
            ),
            timeout=120,
            what="all runs to finish",
        )
        statuses = db.all("SELECT status, runner_id FROM heartbeat_runs")
        assert {s for s, _ in statuses} == {"succeeded"}
        executed = ledger.read_text().split("\n")[:-1]
        assert len(executed) == 64 and len({line.split()[0] for line in executed}) == 64
        assert {r for _, r in statuses} <= {db.one("SELECT runner_id FROM heartbeat_runs LIMIT 1")[0]} | {
            row[0] for row in db.all("SELECT replica_id FROM scheduler_heartbeats")
        }
        assert db.one("SELECT count(*) FROM agents WHERE status <> 'idle'")[0] == 0
    finally:
        for r in replicas:
            r.stop()
        db.close()


def _watchdog_of(parent: int) -> int:
    from pathlib import Path

    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"paperclip.adapters.watchdog" in cmdline:
                return int(proc.name)
    raise AssertionError(f"no agent watchdog under process {parent}")


def test_sigkilled_server_recovers_lost_runs_and_kills_the_orphaned_agent(database_url, home, tmp_path):
    pid_file, first_marker = tmp_path / "agent.pid", tmp_path / "first"
    script = write_script(
        tmp_path / "agent.py",
        f"""
        import os, time
        if not os.path.exists({str(first_marker)!r}):
            open({str(first_marker)!r}, "w").close()
            open({str(pid_file)!r}, "w").write(str(os.getpid()))
            time.sleep(300)
    """,
    )
    db = SyncDb(database_url)
    server = Replica(database_url, home, free_port())
    survivor = None
    agent_pid = None
    try:
        server.wait_ready()
        company = db.company()
        agent = db.agent(company, {"command": str(script)})
        first = httpx.post(f"{server.url}/api/agents/{agent}/wakeup", json={}, timeout=30).json()["id"]
        db.wait(
            lambda: db.one("SELECT process_pid FROM heartbeat_runs WHERE id = %s", uuid.UUID(first))[0],
            what="the agent process to be recorded",
        )
        second = httpx.post(f"{server.url}/api/agents/{agent}/wakeup", json={}, timeout=30).json()["id"]
        issue = uuid.uuid4()
        db.exec(
            "INSERT INTO issues (id, company_id, title, status, issue_number, identifier, assignee_agent_id, "
            "checkout_run_id, execution_run_id) VALUES (%s, %s, 'T', 'in_progress', 1, %s, %s, %s, %s)",
            issue,
            company,
            f"R-{issue.hex[:6]}",
            agent,
            uuid.UUID(first),
            uuid.UUID(first),
        )
        agent_pid = int(pid_file.read_text())
        assert pid_alive(agent_pid)

        # The agent's watchdog (paperclip.adapters.watchdog) would take the agent down with the server
        # (tests/server/test_agents_die_with_server.py); killed first here, as if it had died too, so
        # the next start's reaper — the second line of defence — is what this test exercises.
        os.kill(_watchdog_of(server.proc.pid), 9)
        server.kill()  # SIGKILL: no shutdown code runs
        assert pid_alive(agent_pid)  # the agent outlived its server
        assert db.one("SELECT status FROM heartbeat_runs WHERE id = %s", uuid.UUID(first))[0] == "running"

        survivor = Replica(database_url, home, free_port())
        survivor.wait_ready()
        lost = db.wait(
            lambda: (
                (r := db.one("SELECT status, error_code FROM heartbeat_runs WHERE id = %s", uuid.UUID(first)))
                and r[0] != "running"
                and r
            ),
            what="the lost run to be reaped",
        )
        assert tuple(lost) == ("failed", "process_lost")
        db.wait(lambda: not pid_alive(agent_pid), timeout=10, what="the orphaned agent process to die")
        assert db.one("SELECT checkout_run_id, execution_run_id FROM issues WHERE id = %s", issue) == (
            None,
            None,
        )
        done = db.wait(
            lambda: (
                (r := db.one("SELECT status FROM heartbeat_runs WHERE id = %s", uuid.UUID(second))[0])
                in TERMINAL
                and r
            ),
            what="the queued run to run",
        )
        assert done == "succeeded"
        db.wait(
            lambda: db.one("SELECT status FROM agents WHERE id = %s", agent)[0] == "idle", what="agent idle"
        )
    finally:
        if agent_pid and pid_alive(agent_pid):
            os.kill(agent_pid, 9)
        server.stop()
        if survivor is not None:
            survivor.stop()
        db.close()

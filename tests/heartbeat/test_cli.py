"""`paperclipai heartbeat run` wakes an agent through a real server, streams its log and exits with
the run's exit code."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from hb_support import Replica, SyncDb


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperclip", "heartbeat", "run", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_heartbeat_run_streams_the_log_and_exits_with_the_run_exit_code(database_url, tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    db = SyncDb(database_url)
    server = Replica(database_url, home, free_port())
    try:
        server.wait_ready()
        company = db.company()
        ok = db.agent(
            company,
            {"command": "/bin/sh", "args": ["-c", "echo working on $PAPERCLIP_WAKE_REASON; echo note >&2"]},
        )
        bad = db.agent(company, {"command": "/bin/sh", "args": ["-c", "echo about to fail; exit 7"]})

        done = cli("--agent-id", str(ok), "--api-base", server.url)
        assert done.returncode == 0, done.stderr
        assert "working on cli_heartbeat_run" in done.stdout and "note" in done.stderr
        assert "succeeded" in done.stderr

        failed = cli("--agent-id", str(bad), "--api-base", server.url)
        assert failed.returncode == 7 and "about to fail" in failed.stdout

        as_json = cli("--agent-id", str(ok), "--api-base", server.url, "--json")
        assert as_json.returncode == 0 and json.loads(as_json.stdout)["status"] == "succeeded"

        db.exec("UPDATE agents SET status = 'paused' WHERE id = %s", ok)
        refused = cli("--agent-id", str(ok), "--api-base", server.url)
        assert refused.returncode == 1 and "not invokable" in refused.stderr
    finally:
        server.stop()
        db.close()

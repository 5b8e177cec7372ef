"""Real `paperclipai` server processes: isolated home, free ports, output captured in files.

Every process a test starts is stopped at teardown (SIGTERM, then SIGKILL), never by name.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CLI = Path(sys.executable).parent / "paperclipai"
START_TIMEOUT = 120  # a loaded CI machine can be slow to import, migrate and bind


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PAPERCLIP_", "BETTER_AUTH_", "HEARTBEAT_"))
        and k not in ("DATABASE_URL", "HOST", "PORT")
    }
    env.update(
        {
            "PAPERCLIP_HOME": str(home),
            "COLUMNS": "250",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
            "PAPERCLIP_DB_BACKUP_ENABLED": "false",
            "HEARTBEAT_SCHEDULER_ENABLED": "false",
        }
    )
    env.update(extra or {})
    return env


@dataclass
class Server:
    proc: subprocess.Popen
    out: Path
    err: Path

    @property
    def stdout(self) -> str:
        return self.out.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def wait_healthy(self, port: int, host_header: str = "localhost") -> httpx.Response:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"server exited with {self.proc.returncode}\n{self.stdout}\n{self.stderr}"
                )
            try:
                return httpx.get(
                    f"http://127.0.0.1:{port}/api/health", headers={"host": host_header}, timeout=5
                )
            except httpx.TransportError:
                time.sleep(0.3)
        raise AssertionError(f"server did not answer on port {port}\n{self.stdout}\n{self.stderr}")

    def terminate(self, timeout: float = 10) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def finish(self, timeout: float = START_TIMEOUT) -> int:
        return self.proc.wait(timeout=timeout)


@pytest.fixture
def start(tmp_path: Path, paperclip_home: Path) -> Iterator:
    started: list[Server] = []
    workdir = tmp_path / "cwd"
    workdir.mkdir()

    def launch(*args: str, env: dict[str, str] | None = None) -> Server:
        n = len(started)
        out, err = tmp_path / f"server{n}.out", tmp_path / f"server{n}.err"
        with out.open("wb") as o, err.open("wb") as e:
            proc = subprocess.Popen(
                [str(CLI), *args],
                env=base_env(paperclip_home, env),
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=o,
                stderr=e,
            )
        server = Server(proc, out, err)
        started.append(server)
        return server

    yield launch
    for server in started:
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGTERM)
            try:
                server.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()


@pytest.fixture
def onboard(paperclip_home: Path):
    """Onboard the test's instance in-process (no server start): flags as keyword arguments."""
    from paperclip.cli.onboard import onboard_instance

    def run(mode: str = "local_trusted", exposure: str | None = None, public_url: str | None = None) -> Path:
        return onboard_instance(
            data_dir=None,
            config=None,
            instance=None,
            yes=False,
            mode=mode,
            exposure=exposure,
            public_url=public_url,
            bind=None,
            env={"PAPERCLIP_HOME": str(paperclip_home)},
        )

    return run


def error_line(text: str) -> str:
    """The one `Error: ...` line a refusal prints."""
    lines = [row for row in text.splitlines() if row.startswith("Error: ")]
    assert len(lines) == 1, text
    return lines[0]

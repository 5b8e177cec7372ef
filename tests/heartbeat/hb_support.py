"""Helpers shared by the heartbeat and adapter tests: fake CLIs, process checks, real server replicas
(rows and waiting for runs: tests/factories.py)."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
import uuid
from pathlib import Path


def write_script(path: Path, body: str) -> Path:
    """A small executable Python script (fake agent CLIs)."""
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    return path


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
    return True


class Replica:
    """A real server process (build_app + uvicorn) on a shared database."""

    def __init__(self, database_url: str, home: Path, port: int, extra_env: dict[str, str] | None = None):
        import subprocess

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PORT": str(port),
            "PAPERCLIP_HOME": str(home),
            "PAPERCLIP_DEPLOYMENT_MODE": "local_trusted",
            "HEARTBEAT_SCHEDULER_ENABLED": "true",
            "HEARTBEAT_SCHEDULER_INTERVAL_MS": "10000",
            "PAPERCLIP_DB_BACKUP_ENABLED": "false",
            "PAPERCLIP_AGENT_JWT_SECRET": "replica-test-secret-0123456789abcdef",
            "PAPERCLIP_API_URL": f"http://127.0.0.1:{port}",
            **(extra_env or {}),
        }
        self.log = open(home / f"replica-{port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "serve_replica.py")],
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"replica on {self.port} exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"replica on {self.port} did not become ready")

    def kill(self) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except Exception:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


class SyncDb:
    """Plain psycopg access for tests whose servers are separate processes."""

    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)

    def one(self, sql: str, *args):
        return self.conn.execute(sql, args).fetchone()

    def all(self, sql: str, *args):
        return self.conn.execute(sql, args).fetchall()

    def exec(self, sql: str, *args) -> None:
        self.conn.execute(sql, args)

    def company(self) -> uuid.UUID:
        cid = uuid.uuid4()
        self.exec(
            "INSERT INTO companies (id, name, issue_prefix) VALUES (%s, %s, %s)",
            cid,
            f"Co {cid.hex[:6]}",
            f"R{cid.hex[:5].upper()}",
        )
        return cid

    def agent(self, company: uuid.UUID, config: dict, runtime: dict | None = None) -> uuid.UUID:
        import json

        aid = uuid.uuid4()
        self.exec(
            "INSERT INTO agents (id, company_id, name, adapter_type, adapter_config, runtime_config) "
            "VALUES (%s, %s, %s, 'process', %s, %s)",
            aid,
            company,
            f"A {aid.hex[:6]}",
            json.dumps(config),
            json.dumps(runtime or {}),
        )
        return aid

    def wait(self, predicate, timeout: float = 60, what: str = "condition"):
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def close(self) -> None:
        self.conn.close()

"""Fixtures for database tests: throwaway embedded clusters that are always stopped afterwards,
and a CLI runner for `paperclipai` as a real subprocess."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from paperclip.db.embedded import EmbeddedPostgres


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def reachable_dir() -> Iterator[Path]:
    """A fresh directory the unprivileged PostgreSQL user can reach (tmp_path, under a 0700
    /tmp/pytest-of-root, is not: tests that want relocation use tmp_path on purpose)."""
    root = Path(tempfile.mkdtemp(prefix="paperclip-dbtest-"))
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def embedded(reachable_dir: Path):
    """Factory for EmbeddedPostgres managers; every cluster they touched is stopped at teardown,
    and clusters relocated under /var/lib/paperclip are removed."""
    made: list[EmbeddedPostgres] = []

    def make(data_dir: Path | None = None, port: int | None = None, **kwargs) -> EmbeddedPostgres:
        manager = EmbeddedPostgres(data_dir or reachable_dir / "db", port or free_port(), **kwargs)
        made.append(manager)
        return manager

    yield make
    for manager in made:
        if manager.running_pid():
            manager._run("pg_ctl", "-D", str(manager.data_dir), "-m", "immediate", "-w", "stop", check=False)
        if manager.data_dir != manager.requested_data_dir.resolve():
            shutil.rmtree(manager.data_dir, ignore_errors=True)


def proc_uid(pid: int) -> int:
    """Real uid of a process, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for pid {pid}")


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def create_database(admin_url: str, name: str) -> str:
    query(admin_url, f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def empty_database(pg_server: str) -> Iterator[str]:
    """A database with nothing in it (not even the schema)."""
    import uuid

    name = f"e_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_server, name)
    yield url
    query(pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a `paperclipai` subprocess: an isolated home, nothing inherited that configures Paperclip."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERCLIP_", "DATABASE_URL"))}
    env.update(
        {
            "PAPERCLIP_HOME": str(home),
            "PAPERCLIP_DB_BACKUP_ENABLED": "false",
            "HEARTBEAT_SCHEDULER_ENABLED": "false",
            "PAPERCLIP_TELEMETRY_DISABLED": "1",
        }
    )
    env.update(extra)
    return env


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperclip", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )

"""`start_database(meanwhile=...)`: the server builds its app while the embedded PostgreSQL starts
(issue 13's start-up time). The work runs once, in the caller's thread, before the migrations; a
failure in it stops the cluster this call started, as a failed start-up must."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading

import psycopg
import pytest

from paperclip.server.database import start_database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_settings(make_settings, paperclip_home):
    return make_settings(
        {
            "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(_free_port()),
            "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR": str(paperclip_home / "db"),
        }
    )


def test_meanwhile_runs_once_in_the_callers_thread_and_the_database_comes_up(embedded_settings):
    calls = []
    database = start_database(
        embedded_settings,
        meanwhile=lambda: calls.append(threading.current_thread() is threading.main_thread()),
    )
    try:
        assert calls == [True]
        assert database.embedded is not None and database.embedded.started_here
        assert database.migrations == "applied (empty database)"
        with psycopg.connect(database.url) as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        database.stop()
    assert database.embedded.running_pid() is None


def test_a_failure_meanwhile_stops_the_cluster_it_started(embedded_settings):
    def fail():
        raise KeyboardInterrupt  # what SIGTERM during start-up turns into (server/runtime.py)

    data_dir = embedded_settings.database.embedded_data_dir
    try:
        with pytest.raises(KeyboardInterrupt):
            start_database(embedded_settings, meanwhile=fail)
        assert (data_dir / "PG_VERSION").exists()  # it was started...
        assert not (data_dir / "postmaster.pid").exists()  # ...and stopped again
    finally:
        pid_file = data_dir / "postmaster.pid"
        if pid_file.exists():  # a failing test must not leave a cluster running: immediate shutdown
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)

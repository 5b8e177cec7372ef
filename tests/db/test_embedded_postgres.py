"""The embedded PostgreSQL manager with real processes: first start, restart, adoption, shutdown,
a stale pid file after kill -9, a taken port, and running as root."""

from __future__ import annotations

import os
import pwd
import signal
import socket
import stat
import time
from pathlib import Path

import pytest

from paperclip.db.embedded import SYSTEM_ROOT, is_live_postmaster
from paperclip.errors import StartupError

from .conftest import proc_uid, query

pytestmark = pytest.mark.timeout(120)


def wait_until(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.1)


def test_first_start_runs_initdb_with_utf8_and_locale_c(embedded):
    pg = embedded()
    pg.start()
    assert pg.initialised_here and pg.started_here and not pg.adopted
    assert (pg.data_dir / "PG_VERSION").read_text().strip() == "18"
    [(encoding, collate, ctype)] = query(
        pg.url,
        "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database()",
    )
    assert (encoding, collate, ctype) == ("UTF8", "C", "C")
    assert query(pg.url, "SHOW listen_addresses") == [("127.0.0.1",)]


def test_restart_reuses_the_cluster_without_initdb(embedded):
    first = embedded()
    first.start()
    query(first.url, "CREATE TABLE kept (v text)")
    query(first.url, "INSERT INTO kept VALUES ('still here')")
    first.stop()
    assert first.running_pid() is None

    second = embedded(first.requested_data_dir, first.port)
    second.start()
    assert second.started_here and not second.initialised_here
    assert query(second.url, "SELECT v FROM kept") == [("still here",)]


def test_second_manager_adopts_a_running_server_and_leaves_it_running(embedded):
    owner = embedded()
    owner.start()
    pid, _ = owner.running_pid()

    other_port = owner.port + 1 if owner.port < 65535 else owner.port - 1
    guest = embedded(owner.requested_data_dir, other_port)
    guest.start()
    assert guest.adopted and not guest.started_here and not guest.initialised_here
    assert guest.port == owner.port  # the running server's port wins, with a warning
    assert any("already running" in w for w in guest.warnings)
    assert guest.running_pid() == (pid, owner.port)  # no second postmaster

    guest.stop()  # not ours to stop
    assert is_live_postmaster(pid)
    assert query(owner.url, "SELECT 1") == [(1,)]

    owner.stop()  # the starter stops it on shutdown
    wait_until(lambda: not is_live_postmaster(pid))
    assert not (owner.data_dir / "postmaster.pid").exists()


def test_stale_pid_file_after_kill_9_is_replaced_by_a_fresh_start(embedded):
    pg = embedded()
    pg.start()
    pid, port = pg.running_pid()
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not is_live_postmaster(pid))
    assert (pg.data_dir / "postmaster.pid").exists()  # left behind, naming a dead (or zombie) pid

    again = embedded(pg.requested_data_dir, port)
    again.start()
    assert again.started_here and not again.adopted and not again.initialised_here
    new_pid, _ = again.running_pid()
    assert new_pid != pid
    assert query(again.url, "SELECT 1") == [(1,)]


def test_taken_port_names_the_setting_to_change(embedded):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]

        pg = embedded(port=port)
        with pytest.raises(StartupError) as from_config:
            pg.start()
        assert f"port {port}" in from_config.value.message
        assert "database.embeddedPostgresPort" in from_config.value.message
        assert "PAPERCLIP_EMBEDDED_POSTGRES_PORT" in from_config.value.message
        assert pg.running_pid() is None and not pg.started_here

        from_env = embedded(pg.requested_data_dir, port, port_setting="PAPERCLIP_EMBEDDED_POSTGRES_PORT")
        with pytest.raises(StartupError) as raised:
            from_env.start()
        assert raised.value.message.index("PAPERCLIP_EMBEDDED_POSTGRES_PORT") < raised.value.message.index(
            "database.embeddedPostgresPort"
        )


def test_env_overrides_for_port_and_data_dir_win_over_config(
    make_settings, paperclip_home, reachable_dir, embedded
):
    import json

    from paperclip.server.database import start_database

    config = paperclip_home / "instances" / "default" / "config.json"
    config.parent.mkdir(parents=True)
    config.write_text(
        json.dumps(
            {
                "$meta": {"version": 1, "updatedAt": "2026-01-01T00:00:00Z", "source": "onboard"},
                "database": {
                    "mode": "embedded-postgres",
                    "embeddedPostgresDataDir": str(reachable_dir / "from-config"),
                    "embeddedPostgresPort": 1,
                },
            }
        )
    )
    probe = embedded(reachable_dir / "from-env")  # only to pick a free port and clean up afterwards
    settings = make_settings(
        {
            "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(probe.port),
            "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR": str(reachable_dir / "from-env"),
        }
    )
    assert settings.database.embedded_port == probe.port
    assert settings.database.embedded_port_source == "PAPERCLIP_EMBEDDED_POSTGRES_PORT"
    assert settings.database.embedded_data_dir == reachable_dir / "from-env"

    database = start_database(settings)
    try:
        assert database.embedded is not None
        assert database.embedded.data_dir == (reachable_dir / "from-env").resolve()
        assert f":{probe.port}/" in database.url
        assert database.migrations == "applied (empty database)"
        assert not (reachable_dir / "from-config").exists()
    finally:
        database.stop()


root_only = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: checks PostgreSQL runs as an unprivileged user"
)


@root_only
def test_as_root_postgres_runs_as_the_unprivileged_user(embedded):
    pg = embedded()
    pg.start()
    pid, _ = pg.running_pid()
    uid = proc_uid(pid)
    assert uid != 0
    assert uid == pwd.getpwnam("paperclip").pw_uid
    assert pg.data_dir.stat().st_uid == uid
    assert stat.S_IMODE(pg.data_dir.stat().st_mode) == 0o700


@root_only
def test_as_root_unreachable_data_dir_is_relocated_without_loosening_permissions(embedded, tmp_path: Path):
    private = tmp_path / "private-home"
    private.mkdir(mode=0o700)
    os.chmod(private, 0o700)
    wanted = private / "instance" / "db"
    ancestors = [p for p in [private, *private.parents]]
    modes_before = {p: stat.S_IMODE(p.stat().st_mode) for p in ancestors}

    pg = embedded(wanted)
    pg.start()
    try:
        assert pg.data_dir.is_relative_to(SYSTEM_ROOT)
        assert (pg.data_dir / "PG_VERSION").exists()
        pointer = wanted.parent / "db.location"
        assert str(pg.data_dir) in pointer.read_text()
        assert "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR" in pointer.read_text()
        assert query(pg.url, "SELECT 1") == [(1,)]
    finally:
        pg.stop()
    assert {p: stat.S_IMODE(p.stat().st_mode) for p in ancestors} == modes_before

    again = embedded(wanted, pg.port)  # a restart finds the same relocated cluster
    again.start()
    assert again.data_dir == pg.data_dir and not again.initialised_here

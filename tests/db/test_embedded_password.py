"""The embedded PostgreSQL's password is the instance's own (issue 15), generated at first start into
the instance .env (0600), and a cluster made with the old fixed password still starts and moves over."""

from __future__ import annotations

import stat
from pathlib import Path

import psycopg
import pytest

from paperclip.config.dbpassword import LEGACY_PASSWORD, NAME
from paperclip.config.store import read_env_file
from paperclip.db.embedded import PASSWORD
from paperclip.server.database import start_database


def _can_connect(port: int, password: str) -> bool:
    try:
        with psycopg.connect(
            f"postgresql://paperclip:{password}@127.0.0.1:{port}/paperclip", connect_timeout=5
        ):
            return True
    except psycopg.OperationalError as exc:
        assert "password authentication failed" in str(exc), exc
        return False


def _settings(make_settings, embedded, data_dir: Path):
    probe = embedded(data_dir)  # picks a free port; stops whatever runs on the data dir at teardown
    return make_settings(
        {
            "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(probe.port),
            "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR": str(data_dir),
        }
    ), probe.port


def test_first_start_generates_a_private_per_instance_password(make_settings, embedded, reachable_dir: Path):
    settings, port = _settings(make_settings, embedded, reachable_dir / "db")
    database = start_database(settings, migrate=False)
    try:
        password = read_env_file(settings.instance_env_file)[NAME]
        assert len(password) >= 24 and password != LEGACY_PASSWORD
        assert stat.S_IMODE(settings.instance_env_file.stat().st_mode) == 0o600
        assert password in database.url
        assert _can_connect(port, password)
        assert not _can_connect(port, LEGACY_PASSWORD)  # was: every instance's password, known to all
    finally:
        database.stop()
    # The next start reads it back instead of making another.
    database = start_database(settings, migrate=False)
    try:
        assert read_env_file(settings.instance_env_file)[NAME] == password and password in database.url
    finally:
        database.stop()


def test_a_cluster_made_with_the_old_fixed_password_still_starts_and_moves_over(
    make_settings, embedded, reachable_dir: Path
):
    old = embedded(reachable_dir / "db")
    old.start()  # the previous version: initdb with the fixed password
    assert old.password == PASSWORD == LEGACY_PASSWORD
    old.stop()
    settings = make_settings(
        {
            "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(old.port),
            "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR": str(reachable_dir / "db"),
        }
    )
    assert NAME not in read_env_file(settings.instance_env_file)
    database = start_database(settings)  # migrations too: the data is there and usable
    try:
        password = read_env_file(settings.instance_env_file)[NAME]
        assert any("replaced the fixed default password" in w for w in database.embedded.warnings)
        assert _can_connect(old.port, password) and not _can_connect(old.port, LEGACY_PASSWORD)
    finally:
        database.stop()
    # Adopting a running cluster (a crashed server's) with the legacy password moves it over too.
    old.password = password
    old.start()
    with psycopg.connect(old.admin_url(), autocommit=True) as conn:
        conn.execute(f"ALTER ROLE paperclip PASSWORD '{LEGACY_PASSWORD}'")
    database = start_database(settings, migrate=False)
    try:
        assert database.embedded.adopted
        assert _can_connect(old.port, password) and not _can_connect(old.port, LEGACY_PASSWORD)
    finally:
        database.stop()


def test_a_wrong_password_is_refused_naming_the_setting(make_settings, embedded, reachable_dir: Path):
    settings, port = _settings(make_settings, embedded, reachable_dir / "db")
    start_database(settings, migrate=False).stop()
    wrong = make_settings(
        {
            "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(port),
            "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR": str(reachable_dir / "db"),
            NAME: "not-the-one",
        }
    )
    from paperclip.errors import StartupError

    with pytest.raises(StartupError) as raised:
        start_database(wrong, migrate=False)
    assert (
        "PAPERCLIP_EMBEDDED_POSTGRES_PASSWORD" in raised.value.message
        and "not-the-one" not in raised.value.message
    )

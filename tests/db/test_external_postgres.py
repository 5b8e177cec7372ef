"""External PostgreSQL through DATABASE_URL: the version floor, and no embedded cluster."""

from __future__ import annotations

import pytest

from paperclip.config.settings import uses_pooler
from paperclip.db.engine import check_server_version, libpq_url
from paperclip.errors import StartupError
from paperclip.server.database import start_database


class _VersionOnly:
    """Answers SHOW server_version_num like a connection would; no PG 16 server exists here."""

    def __init__(self, version_num: int):
        self.version_num = version_num

    def exec_driver_sql(self, sql: str):
        assert sql == "SHOW server_version_num"
        return self

    def scalar_one(self) -> str:
        return str(self.version_num)


def test_postgres_16_is_refused_naming_the_setting():
    with pytest.raises(StartupError) as raised:
        check_server_version(_VersionOnly(160004))
    assert raised.value.message == (
        "PostgreSQL 16 is not supported: Paperclip needs PostgreSQL 17 or newer (DATABASE_URL points at a 16.x server)"
    )


@pytest.mark.parametrize("version_num", [170000, 180001])
def test_postgres_17_and_newer_are_accepted(version_num):
    assert check_server_version(_VersionOnly(version_num)) == version_num


def test_real_server_passes_the_version_check(database_url):
    from paperclip.db.engine import make_sync_engine

    engine = make_sync_engine(database_url)
    with engine.connect() as conn:
        assert check_server_version(conn) >= 170000
    engine.dispose()


def test_database_url_means_no_embedded_cluster(make_settings, paperclip_home, database_url):
    settings = make_settings({"DATABASE_URL": database_url})
    assert not settings.database.embedded
    database = start_database(settings)
    try:
        assert database.embedded is None
        assert database.url == database_url
        assert database.migrations == "already applied"
    finally:
        database.stop()
    assert not (paperclip_home / "instances" / "default" / "db").exists()


@pytest.mark.parametrize(
    ("url", "pooled"),
    [
        ("postgres://u:p@aws-0-eu.pooler.supabase.com:6543/postgres", True),
        ("postgres://u:p@db.example.com:5432/postgres?pgbouncer=true", True),
        ("postgres://u:p@db.example.com:5432/postgres", False),
        ("postgres://u:p@db.example.com/postgres", False),
    ],
)
def test_pooler_detection_by_port_6543_or_pgbouncer_hint(url, pooled):
    assert uses_pooler(url) is pooled


def test_prepared_statements_setting(make_settings):
    pooled = "postgres://u:p@db.example.com:6543/postgres"
    direct = "postgres://u:p@db.example.com:5432/postgres"
    assert make_settings({"DATABASE_URL": pooled}).database.prepared_statements is False
    assert make_settings({"DATABASE_URL": direct}).database.prepared_statements is True
    assert (
        make_settings(
            {"DATABASE_URL": direct, "PAPERCLIP_DB_PREPARED_STATEMENTS": "false"}
        ).database.prepared_statements
        is False
    )
    assert (
        make_settings(
            {"DATABASE_URL": pooled, "PAPERCLIP_DB_PREPARED_STATEMENTS": "true"}
        ).database.prepared_statements
        is True
    )


def test_pgbouncer_hint_is_not_passed_to_libpq():
    assert (
        libpq_url("postgres://u:p@h:5432/db?pgbouncer=true&sslmode=require")
        == "postgresql://u:p@h:5432/db?sslmode=require"
    )

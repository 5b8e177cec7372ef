"""Backups and restore: `paperclipai db:backup` / `db:restore` as real subprocesses, the automatic
backup schedule, retention, and restores that must not damage the database."""

from __future__ import annotations

import gzip
import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from paperclip.db.backup import BackupSchedule, run_backup

from .conftest import cli_env, free_port, query, run_cli

pytestmark = pytest.mark.timeout(180)


def company_names(url: str) -> list[str]:
    return [name for (name,) in query(url, "SELECT name FROM companies ORDER BY name")]


def add_company(url: str, name: str, prefix: str) -> None:
    query(url, "INSERT INTO companies (name, issue_prefix) VALUES (%s, %s)", (name, prefix))


def backup_json(env: dict[str, str], *args: str, cwd: Path) -> dict:
    result = run_cli("db:backup", "--json", *args, env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def age(path: Path, days: float) -> None:
    past = time.time() - days * 86400
    os.utime(path, (past, past))


def test_db_backup_json_reports_the_file_and_writes_it_private(database_url, tmp_path):
    add_company(database_url, "Acme", "ACM")
    env = cli_env(tmp_path / "home", DATABASE_URL=database_url)
    report = backup_json(env, "--dir", str(tmp_path / "backups"), cwd=tmp_path)
    assert set(report) == {"backupFile", "sizeBytes", "prunedCount", "backupDir", "retentionDays"}
    backup = Path(report["backupFile"])
    assert backup.parent == tmp_path / "backups" and Path(report["backupDir"]) == tmp_path / "backups"
    assert backup.name.startswith("paperclip") and backup.name.endswith(".sql.gz")
    assert report["sizeBytes"] == backup.stat().st_size > 0
    assert report["prunedCount"] == 0 and report["retentionDays"] == 7
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "Acme" in gzip.decompress(backup.read_bytes()).decode()


def test_retention_days_prunes_only_old_paperclip_backups(database_url, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"paperclip-2020010{i}T000000000Z.sql.gz" for i in range(1, 4)]
    recent = backups / "paperclip-20990101T000000000Z.sql.gz"
    foreign = [backups / "notes.txt", backups / "other-20200101T000000000Z.sql.gz"]
    for path in [*old, recent, *foreign]:
        path.write_bytes(b"x")
    for path in [*old, *foreign]:
        age(path, 10)
    age(recent, 1)

    env = cli_env(tmp_path / "home", DATABASE_URL=database_url)
    report = backup_json(env, "--dir", str(backups), "--retention-days", "3", cwd=tmp_path)
    assert report["prunedCount"] == 3 and report["retentionDays"] == 3
    assert not any(path.exists() for path in old)
    assert recent.exists() and all(path.exists() for path in foreign)
    assert Path(report["backupFile"]).exists()


def test_backup_dir_and_retention_come_from_settings(database_url, tmp_path):
    backups = tmp_path / "configured"
    env = cli_env(
        tmp_path / "home",
        DATABASE_URL=database_url,
        PAPERCLIP_DB_BACKUP_DIR=str(backups),
        PAPERCLIP_DB_BACKUP_RETENTION_DAYS="30",
    )
    report = backup_json(env, cwd=tmp_path)
    assert Path(report["backupDir"]) == backups and report["retentionDays"] == 30


def test_schedule_runs_first_backup_one_interval_after_start_and_prunes(database_url, tmp_path):
    backups = tmp_path / "auto"
    backups.mkdir()
    stale = backups / "paperclip-20200101T000000000Z.sql.gz"
    stale.write_bytes(b"x")
    age(stale, 3)
    start = datetime.now(UTC)  # pruning compares file mtimes with `now`
    schedule = BackupSchedule.starting(
        database_url, backup_dir=backups, interval_minutes=60, retention_days=1, now=start
    )

    assert schedule.run_if_due(start) is None  # nothing at start-up
    assert schedule.run_if_due(start + timedelta(minutes=59)) is None
    assert stale.exists()

    first = schedule.run_if_due(start + timedelta(minutes=60))
    assert first is not None and first.backup_file.exists() and first.pruned_count == 1
    assert not stale.exists()
    assert schedule.run_if_due(start + timedelta(minutes=61)) is None
    second = schedule.run_if_due(start + timedelta(minutes=120))
    assert second is not None and second.backup_file != first.backup_file


async def test_server_schedules_backups_per_database_backup_settings(make_settings, database_url, tmp_path):
    from paperclip.server.runtime import build_app

    backups = tmp_path / "server-backups"
    settings = make_settings(
        {
            "PAPERCLIP_DB_BACKUP_ENABLED": "true",
            "PAPERCLIP_DB_BACKUP_INTERVAL_MINUTES": "15",
            "PAPERCLIP_DB_BACKUP_RETENTION_DAYS": "2",
            "PAPERCLIP_DB_BACKUP_DIR": str(backups),
        }
    )
    app = build_app(settings, database_url, 3100, role="all")  # the runtime schedules backups
    before = datetime.now(UTC)
    async with app.router.lifespan_context(app):
        schedule = app.state.heartbeat.backup_schedule
        assert schedule.interval == timedelta(minutes=15) and schedule.retention_days == 2
        assert schedule.backup_dir == backups
        assert (
            before + timedelta(minutes=15) <= schedule.next_due <= datetime.now(UTC) + timedelta(minutes=15)
        )
        assert not backups.exists() or not list(backups.iterdir())  # the first backup waits one interval
        assert any(
            task.get_name() == "db-backups" and not task.done() for task in app.state.heartbeat.background
        )
        result = schedule.run_if_due(schedule.next_due)
        assert result is not None and result.backup_file.parent == backups


async def test_server_without_backups_schedules_none(make_settings, database_url):
    from paperclip.server.runtime import build_app

    app = build_app(make_settings(), database_url, 3100, role="all")  # the test settings turn backups off
    async with app.router.lifespan_context(app):
        assert app.state.heartbeat.backup_schedule is None


def test_backup_restore_round_trip_through_the_cli(database_url, tmp_path):
    add_company(database_url, "Acme", "ACM")
    add_company(database_url, "Globex", "GLX")
    env = cli_env(tmp_path / "home", DATABASE_URL=database_url)
    backup = backup_json(env, "--dir", str(tmp_path / "b"), cwd=tmp_path)["backupFile"]

    query(database_url, "DELETE FROM companies WHERE name = 'Acme'")
    query(database_url, "UPDATE companies SET name = 'Renamed' WHERE name = 'Globex'")
    add_company(database_url, "Initech", "INI")
    assert company_names(database_url) == ["Initech", "Renamed"]

    result = run_cli("db:restore", backup, "--yes", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert company_names(database_url) == ["Acme", "Globex"]


def test_backup_restore_round_trip_on_the_embedded_database(reachable_dir, tmp_path):
    env = cli_env(
        tmp_path / "home",
        PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR=str(reachable_dir / "db"),
        PAPERCLIP_EMBEDDED_POSTGRES_PORT=str(free_port()),
    )
    assert run_cli("db", "migrate", env=env, cwd=tmp_path).returncode == 0  # starts, migrates, stops

    def embedded(sql: str, params: tuple = ()) -> list[tuple]:
        """Run SQL while the embedded cluster is up (started and stopped around it, like the server)."""
        from paperclip.config.dbpassword import NAME
        from paperclip.config.store import read_env_file
        from paperclip.db.embedded import EmbeddedPostgres

        # the instance's own password, generated by its first start into the instance .env
        password = read_env_file(tmp_path / "home" / "instances" / "default" / ".env")[NAME]
        pg = EmbeddedPostgres(
            reachable_dir / "db", int(env["PAPERCLIP_EMBEDDED_POSTGRES_PORT"]), password=password
        )
        pg.start()
        try:
            return query(pg.url, sql, params)
        finally:
            pg.stop()

    embedded("INSERT INTO companies (name, issue_prefix) VALUES ('Acme', 'ACM')")
    report = backup_json(env, cwd=tmp_path)
    assert Path(report["backupDir"]) == tmp_path / "home" / "instances" / "default" / "data" / "backups"
    embedded("DELETE FROM companies")
    result = run_cli("db:restore", report["backupFile"], "--yes", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert embedded("SELECT name FROM companies") == [("Acme",)]


@pytest.mark.parametrize("kind", ["invalid SQL", "truncated gzip", "not gzip"])
def test_restore_of_a_corrupt_file_fails_and_leaves_the_database_unchanged(database_url, tmp_path, kind):
    add_company(database_url, "Acme", "ACM")
    backups = tmp_path / "b"
    good = run_backup(database_url, backup_dir=backups, retention_days=7, now=datetime.now(UTC)).backup_file
    add_company(database_url, "Later", "LAT")  # not in the backup: a partial restore would drop it
    bad = backups / "paperclip-bad.sql.gz"
    if kind == "invalid SQL":
        # Starts like a real dump (drops everything), then breaks: psql must roll it all back.
        sql = gzip.decompress(good.read_bytes()).decode()
        bad.write_bytes(gzip.compress((sql[: len(sql) // 2] + "\nTHIS IS NOT SQL;\n").encode()))
    elif kind == "truncated gzip":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) * 2 // 3])
    else:
        bad.write_bytes(b"DROP TABLE companies;\n" * 10)
        bad = bad.rename(backups / "paperclip-bad.gz")

    env = cli_env(tmp_path / "home", DATABASE_URL=database_url)
    result = run_cli("db:restore", str(bad), "--yes", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "Restore failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert company_names(database_url) == ["Acme", "Later"]


def test_restore_of_a_missing_file_names_it(database_url, tmp_path):
    env = cli_env(tmp_path / "home", DATABASE_URL=database_url)
    result = run_cli("db:restore", str(tmp_path / "nope.sql.gz"), "--yes", env=env, cwd=tmp_path)
    assert result.returncode != 0 and "nope.sql.gz" in result.stderr


def test_restore_refuses_while_a_server_has_the_embedded_database_up(embedded, reachable_dir, tmp_path):
    running = embedded(reachable_dir / "db")
    running.start()  # stands in for `paperclipai run`
    env = cli_env(
        tmp_path / "home",
        PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR=str(reachable_dir / "db"),
        PAPERCLIP_EMBEDDED_POSTGRES_PORT=str(running.port),
    )
    backup = tmp_path / "paperclip-x.sql.gz"
    backup.write_bytes(gzip.compress(b"SELECT 1;\n"))
    result = run_cli("db:restore", str(backup), "--yes", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "in use by a running server" in result.stderr and "stop `paperclipai run` first" in result.stderr
    assert running.running_pid() is not None  # and the CLI left it running

"""Backups that survive the container: `db:backup` (a real subprocess) and the schedule copy each
backup to `<prefix>/backups/` in the bucket and prune there; `db:restore` takes such a key."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

from paperclip.config.settings import StorageSettings
from paperclip.db.backup import BackupSchedule
from paperclip.storage.backups import copy_offsite, download_backup, remote_key
from paperclip.storage.base import put_bytes
from paperclip.storage.providers.s3 import S3Provider
from tests.db.conftest import cli_env, query, run_cli


def _storage(moto_server, bucket) -> StorageSettings:
    return StorageSettings(
        provider="s3",
        local_dir=None,
        s3_bucket=bucket,
        s3_region="us-east-1",  # type: ignore[arg-type]
        s3_endpoint=moto_server.endpoint,
        s3_prefix="pc",
        s3_force_path_style=True,
    )


def test_db_backup_copies_to_s3_prunes_there_and_restore_takes_the_key(
    database_url, tmp_path, moto_server, s3_bucket
):
    query(database_url, "INSERT INTO companies (name, issue_prefix) VALUES ('Offsite', 'OFF')")
    provider = S3Provider(
        bucket=s3_bucket,
        region="us-east-1",
        endpoint=moto_server.endpoint,
        prefix="pc",
        force_path_style=True,
    )
    put_bytes(provider, "backups/paperclip-20200101T000000000Z.sql.gz", b"old", "application/gzip")
    put_bytes(provider, "backups/other-20200101T000000000Z.sql.gz", b"not ours", "application/gzip")
    env = cli_env(
        tmp_path / "home",
        DATABASE_URL=database_url,
        PAPERCLIP_STORAGE_PROVIDER="s3",
        PAPERCLIP_STORAGE_S3_BUCKET=s3_bucket,
        PAPERCLIP_STORAGE_S3_ENDPOINT=moto_server.endpoint,
        PAPERCLIP_STORAGE_S3_PREFIX="pc",
        PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE="true",
    )
    result = run_cli("db:backup", "--json", "--dir", str(tmp_path / "backups"), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    name = report["backupFile"].rsplit("/", 1)[-1]
    assert report["remoteKey"] == f"backups/{name}"
    assert report["remoteLocation"] == f"s3://{s3_bucket}/pc/backups/{name}"
    assert report["remotePrunedCount"] == 1
    assert sorted(moto_server.keys(s3_bucket)) == [
        "pc/backups/other-20200101T000000000Z.sql.gz",
        f"pc/backups/{name}",
    ]
    remote_copy = b"".join(provider.read(f"backups/{name}"))
    assert remote_copy == (tmp_path / "backups" / name).read_bytes()
    assert "Offsite" in gzip.decompress(remote_copy).decode()

    (tmp_path / "backups" / name).unlink()  # the container's disk is gone: only the bucket has it
    query(database_url, "DELETE FROM companies")
    restored = run_cli("db:restore", "--yes", f"s3://{s3_bucket}/pc/backups/{name}", env=env, cwd=tmp_path)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert query(database_url, "SELECT name FROM companies") == [("Offsite",)]

    missing = run_cli(
        "db:restore", "--yes", "backups/paperclip-20990101T000000000Z.sql.gz", env=env, cwd=tmp_path
    )
    assert missing.returncode != 0 and "Object not found" in missing.stdout + missing.stderr


def test_scheduled_backups_are_copied_offsite(database_url, tmp_path, moto_server, s3_bucket):
    storage = _storage(moto_server, s3_bucket)
    now = datetime(2026, 1, 10, tzinfo=UTC)
    schedule = BackupSchedule.starting(
        database_url,
        backup_dir=tmp_path,
        interval_minutes=60,
        retention_days=7,
        now=now - timedelta(hours=1),
        after=lambda r, t: copy_offsite(storage, r, t),
    )
    result = schedule.run_if_due(now)
    assert result is not None and result.remote is not None
    assert moto_server.keys(s3_bucket) == [f"pc/{result.remote.key}"]
    assert result.to_json()["remoteKey"] == result.remote.key


def test_remote_key_forms_and_download(moto_server, s3_bucket, tmp_path):
    provider = S3Provider(
        bucket=s3_bucket,
        region="us-east-1",
        endpoint=moto_server.endpoint,
        prefix="pc",
        force_path_style=True,
    )
    put_bytes(provider, "backups/paperclip-x.sql.gz", b"data", "application/gzip")
    for ref in (
        f"s3://{s3_bucket}/pc/backups/paperclip-x.sql.gz",
        "pc/backups/paperclip-x.sql.gz",
        "backups/paperclip-x.sql.gz",
        "paperclip-x.sql.gz",
    ):
        assert remote_key(provider, ref) == "backups/paperclip-x.sql.gz"
    path = download_backup(provider, "backups/paperclip-x.sql.gz", tmp_path)
    assert path.read_bytes() == b"data"
    import pytest

    from paperclip.errors import AppError

    with pytest.raises(AppError, match="PAPERCLIP_STORAGE_S3_BUCKET"):
        remote_key(provider, "s3://another-bucket/pc/backups/x.sql.gz")

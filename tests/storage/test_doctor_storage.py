"""doctor's Storage check against a real S3 endpoint: a probe object proves the bucket reachable and
writable; a missing bucket or a dead endpoint is a ✗ naming the setting; --repair creates a bucket."""

from __future__ import annotations

import pytest

from tests.cli.conftest import cli, instance_dir, workdir  # noqa: F401 (fixtures)
from tests.storage.conftest import free_port


@pytest.fixture
def onboarded(cli, database_url: str, instance_dir):  # noqa: F811
    assert cli("onboard").returncode == 0
    assert cli("configure", "-s", "server", "--set", f"port={free_port()}").returncode == 0
    return {"DATABASE_URL": database_url}


@pytest.fixture
def doctor(cli, onboarded):  # noqa: F811
    def run(*args, **env):
        return cli("doctor", *args, env={**onboarded, **env})

    return run


def _line(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if f" {name}:" in line)


def _s3(moto_server, bucket, **extra):
    return {
        "PAPERCLIP_STORAGE_PROVIDER": "s3",
        "PAPERCLIP_STORAGE_S3_BUCKET": bucket,
        "PAPERCLIP_STORAGE_S3_ENDPOINT": moto_server.endpoint,
        "PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE": "true",
        "PAPERCLIP_STORAGE_S3_PREFIX": "pc",
        **extra,
    }


def test_reachable_bucket_passes_and_leaves_no_probe(doctor, moto_server, s3_bucket):
    result = doctor(**_s3(moto_server, s3_bucket))
    assert _line(result.stdout, "Storage").startswith(
        f"✓ Storage: S3 bucket is reachable and writable: s3://{s3_bucket}/pc/"
    )
    assert moto_server.keys(s3_bucket) == []


def test_missing_bucket_fails_naming_the_setting_and_repair_creates_it(doctor, moto_server):
    bucket = "pc-doctor-missing"
    result = doctor(**_s3(moto_server, bucket))
    line = _line(result.stdout, "Storage")
    assert line.startswith("✗ Storage: S3 storage:") and "PAPERCLIP_STORAGE_S3_BUCKET" in line
    assert result.returncode == 1
    repaired = doctor("--repair", "--yes", **_s3(moto_server, bucket))
    assert _line(repaired.stdout, "Storage").startswith("✓ Storage: S3 bucket is reachable")
    assert moto_server.keys(bucket) == []


def test_unreachable_endpoint_fails_naming_the_setting(doctor, moto_server):
    dead = f"http://127.0.0.1:{free_port()}"
    result = doctor(**_s3(moto_server, "any", PAPERCLIP_STORAGE_S3_ENDPOINT=dead))
    line = _line(result.stdout, "Storage")
    assert line.startswith(f"✗ Storage: S3 storage: S3 storage is unreachable at {dead}")
    assert "PAPERCLIP_STORAGE_S3_ENDPOINT" in line

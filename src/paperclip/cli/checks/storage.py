"""Check 5, Storage: the local directory is writable; or the S3 bucket is reachable and writable
(a probe object is written, read back and deleted), with errors naming the setting to fix."""

from __future__ import annotations

import uuid

from paperclip.cli.checks.base import CheckResult, directory_problem, make_dirs
from paperclip.config import Settings

NAME = "Storage"
PROBE_PREFIX = ".paperclip-doctor/"
S3_HINT = (
    "Check PAPERCLIP_STORAGE_S3_BUCKET / _REGION / _ENDPOINT / _FORCE_PATH_STYLE (storage.s3.*); credentials "
    "come from the AWS default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, or the IAM role)"
)


def check(settings: Settings, *, probe: bool = True) -> CheckResult:
    """`probe=False` (the pre-flight of `paperclipai run`): S3 settings are checked for completeness
    only, so a start never waits on the network nor fails because S3 is briefly unreachable."""
    storage = settings.storage
    if storage.provider == "s3":
        return _check_s3(settings, probe)
    directory = storage.local_dir
    if not directory.exists():
        return CheckResult(
            NAME,
            "warn",
            f"Local disk storage directory {directory} does not exist yet",
            "Run `paperclipai doctor --repair` to create it",
            make_dirs(directory),
        )
    problem = directory_problem(directory)
    if problem:
        return CheckResult(
            NAME,
            "fail",
            f"Local disk storage: {problem}",
            "Fix the permissions, or set PAPERCLIP_STORAGE_LOCAL_DIR (storage.localDisk.baseDir)",
        )
    return CheckResult(NAME, "pass", f"Local disk storage is writable: {directory}")


def _probe_client(storage):
    import boto3
    from botocore.config import Config

    config = Config(
        s3={"addressing_style": "path" if storage.s3_force_path_style else "virtual"},
        connect_timeout=3,
        read_timeout=10,
        retries={"max_attempts": 1, "mode": "standard"},
    )
    return boto3.session.Session().client(
        "s3", region_name=storage.s3_region, endpoint_url=storage.s3_endpoint, config=config
    )


def _check_s3(settings: Settings, probe: bool) -> CheckResult:
    from paperclip.errors import AppError
    from paperclip.storage.base import put_bytes, read_all
    from paperclip.storage.providers.s3 import S3Provider

    storage = settings.storage
    missing = [
        name for name, value in (("bucket", storage.s3_bucket), ("region", storage.s3_region)) if not value
    ]
    if missing:
        return CheckResult(
            NAME,
            "fail",
            f"S3 storage needs {' and '.join(missing)}",
            "Set PAPERCLIP_STORAGE_S3_BUCKET / PAPERCLIP_STORAGE_S3_REGION (or storage.s3.*)",
        )
    if not probe:
        where = f" at {storage.s3_endpoint}" if storage.s3_endpoint else ""
        return CheckResult(
            NAME,
            "pass",
            f"S3 bucket {storage.s3_bucket} in {storage.s3_region}{where} "
            "(`paperclipai doctor` checks that it is reachable and writable)",
        )
    try:
        provider = S3Provider(
            bucket=storage.s3_bucket,
            region=storage.s3_region,
            endpoint=storage.s3_endpoint,
            prefix=storage.s3_prefix,
            force_path_style=storage.s3_force_path_style,
            client=_probe_client(storage),
        )
        key = f"{PROBE_PREFIX}probe-{uuid.uuid4()}.txt"
        put_bytes(provider, key, b"paperclip doctor probe", "text/plain")
        try:
            if read_all(provider, key) != b"paperclip doctor probe":
                return CheckResult(
                    NAME, "fail", f"S3 {provider.describe()}: the probe object read back differently", S3_HINT
                )
        finally:
            provider.delete(key)
    except AppError as exc:
        repair = _create_bucket(storage) if "does not exist" in exc.message else None
        hint = S3_HINT + ("; `paperclipai doctor --repair` creates the bucket" if repair else "")
        return CheckResult(NAME, "fail", f"S3 storage: {exc.message}", hint, repair)
    return CheckResult(NAME, "pass", f"S3 bucket is reachable and writable: {provider.describe()}")


def _create_bucket(storage):
    def repair() -> str:
        client = _probe_client(storage)
        args: dict = {"Bucket": storage.s3_bucket}
        if storage.s3_region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": storage.s3_region}
        try:
            client.create_bucket(**args)
        except Exception as exc:  # the runner reports an OSError as "Repair failed: ..."
            raise OSError(f"could not create bucket {storage.s3_bucket}: {exc}") from None
        return f"created bucket {storage.s3_bucket} in {storage.s3_region}"

    return repair

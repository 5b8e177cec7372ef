"""Check 5, Storage: the local directory is writable, or the S3 settings are complete."""

from __future__ import annotations

from paperclip.cli.checks.base import CheckResult, directory_problem, make_dirs
from paperclip.config import Settings

NAME = "Storage"


def check(settings: Settings) -> CheckResult:
    storage = settings.storage
    if storage.provider == "s3":
        missing = [name for name, value in (("bucket", storage.s3_bucket), ("region", storage.s3_region)) if not value]
        if missing:
            return CheckResult(NAME, "fail", f"S3 storage needs {' and '.join(missing)}",
                               "Set PAPERCLIP_STORAGE_S3_BUCKET / PAPERCLIP_STORAGE_S3_REGION (or storage.s3.*)")
        where = f" at {storage.s3_endpoint}" if storage.s3_endpoint else ""
        return CheckResult(NAME, "warn", f"S3 bucket {storage.s3_bucket} in {storage.s3_region}{where}. "
                           "Reachability check is skipped in doctor.",
                           "Credentials come from the AWS default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...)")
    directory = storage.local_dir
    if not directory.exists():
        return CheckResult(NAME, "warn", f"Local disk storage directory {directory} does not exist yet",
                           "Run `paperclipai doctor --repair` to create it", make_dirs(directory))
    problem = directory_problem(directory)
    if problem:
        return CheckResult(NAME, "fail", f"Local disk storage: {problem}",
                           "Fix the permissions, or set PAPERCLIP_STORAGE_LOCAL_DIR (storage.localDisk.baseDir)")
    return CheckResult(NAME, "pass", f"Local disk storage is writable: {directory}")

"""Database backups that survive the container: copies in `<prefix>/backups/` of the S3 bucket.

With `PAPERCLIP_STORAGE_PROVIDER=s3`, every backup (`db:backup` and the scheduled ones) is also
uploaded there (streamed from the local file) and the bucket's copies are pruned by the same
retention; `db:restore` takes such a key and downloads it first. The local copy stays as it was."""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from paperclip.config.settings import StorageSettings
from paperclip.errors import AppError
from paperclip.storage.base import StorageProvider
from paperclip.storage.registry import provider_for

log = logging.getLogger("paperclip.storage")
NAMESPACE = "backups/"
CHUNK = 1024 * 1024
_STAMP = re.compile(r"-(\d{8}T\d{6})(\d{3})?Z\.sql(\.gz)?$")


@dataclass(frozen=True)
class RemoteBackup:
    key: str  # relative to the storage prefix: backups/<file>
    location: str  # what to show: s3://bucket/<prefix>/backups/<file>
    pruned: int


def remote_provider(storage: StorageSettings) -> StorageProvider | None:
    """The provider backups are copied to: S3 only (a local-disk copy would share the container's fate)."""
    return provider_for(storage) if storage.provider == "s3" else None


def location(provider: StorageProvider, key: str) -> str:
    full = getattr(provider, "full_key", lambda k: k)(key)
    bucket = getattr(provider, "bucket", None)
    return f"s3://{bucket}/{full}" if bucket else full


def upload_backup(
    provider: StorageProvider,
    backup_file: Path,
    *,
    retention_days: int,
    now: datetime,
    prefix: str = "paperclip",
) -> RemoteBackup:
    key = NAMESPACE + backup_file.name
    writer = provider.open_writer(key, "application/gzip")
    try:
        with open(backup_file, "rb") as src:
            while chunk := src.read(CHUNK):
                writer.write(chunk)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    pruned = prune_remote(provider, retention_days=retention_days, now=now, prefix=prefix, keep=key)
    return RemoteBackup(key, location(provider, key), pruned)


def _taken_at(name: str, fallback: datetime | None) -> datetime | None:
    match = _STAMP.search(name)
    if match:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return fallback


def prune_remote(
    provider: StorageProvider,
    *,
    retention_days: int,
    now: datetime,
    prefix: str = "paperclip",
    keep: str | None = None,
) -> int:
    cutoff = now - timedelta(days=retention_days)
    pruned = 0
    for obj in provider.list(NAMESPACE + prefix + "-"):
        taken = _taken_at(obj.key, obj.last_modified)
        if obj.key != keep and taken is not None and taken < cutoff:
            provider.delete(obj.key)
            pruned += 1
    return pruned


def remote_key(provider: StorageProvider, ref: str) -> str:
    """`s3://bucket/<prefix>/backups/x.sql.gz`, `<prefix>/backups/x.sql.gz` or `backups/x.sql.gz` -> `backups/x.sql.gz`."""
    key = ref
    bucket = getattr(provider, "bucket", "")
    if key.startswith("s3://"):
        rest = key[5:]
        named, _, key = rest.partition("/")
        if named != bucket:
            raise AppError(
                f"Backup {ref} is not in the configured bucket {bucket} (PAPERCLIP_STORAGE_S3_BUCKET)",
                status_code=400,
            )
    storage_prefix = getattr(provider, "prefix", "")
    if storage_prefix and key.startswith(storage_prefix + "/"):
        key = key[len(storage_prefix) + 1 :]
    if not key.startswith(NAMESPACE):
        key = NAMESPACE + key
    return key


def download_backup(provider: StorageProvider, ref: str, directory: Path | None = None) -> Path:
    """Fetch a remote backup into a private temp file (the caller deletes it)."""
    key = remote_key(provider, ref)
    name = key.rsplit("/", 1)[-1]
    handle = tempfile.NamedTemporaryFile(
        prefix="paperclip-restore-", suffix="-" + name, dir=directory, delete=False
    )
    try:
        with handle:
            for chunk in provider.read(key):
                handle.write(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Path(handle.name)


def looks_remote(ref: str) -> bool:
    return ref.startswith("s3://") or ref.startswith(NAMESPACE) or "/" + NAMESPACE in ref


def copy_offsite(storage: StorageSettings, result, now: datetime):
    """After a local backup: with S3 storage, upload it and prune the bucket's copies; the result
    then names the remote copy. Without S3 the result is returned as it was."""
    provider = remote_provider(storage)
    if provider is None:
        return result
    try:
        remote = upload_backup(provider, result.backup_file, retention_days=result.retention_days, now=now)
    except AppError as exc:
        raise AppError(
            f"Backup written to {result.backup_file}, but copying it to S3 failed: {exc.message}",
            status_code=exc.status_code,
        ) from None
    log.info("Database backup copied to %s (%d old copies pruned there)", remote.location, remote.pruned)
    return replace(result, remote=remote)

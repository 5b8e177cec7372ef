"""Database backups: gzip'd pg_dump from the wheel's client, written atomically, pruned by age;
the schedule of automatic backups; and restore through psql in one transaction."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from paperclip.db.embedded import wheel_bin_dir
from paperclip.db.engine import libpq_url
from paperclip.errors import AppError, Conflict

SUFFIX = ".sql.gz"
_lock = threading.Lock()


@dataclass(frozen=True)
class BackupResult:
    backup_file: Path
    size_bytes: int
    pruned_count: int
    backup_dir: Path
    retention_days: int
    remote: Any = None  # paperclip.storage.backups.RemoteBackup: the copy in S3, when storage is S3

    def to_json(self) -> dict:
        report = {
            "backupFile": str(self.backup_file),
            "sizeBytes": self.size_bytes,
            "prunedCount": self.pruned_count,
            "backupDir": str(self.backup_dir),
            "retentionDays": self.retention_days,
        }
        if self.remote is not None:
            report.update(
                {
                    "remoteKey": self.remote.key,
                    "remoteLocation": self.remote.location,
                    "remotePrunedCount": self.remote.pruned,
                }
            )
        return report


def libpq_env(url: str) -> tuple[str, dict[str, str]]:
    """A password-free connection string plus PGPASSWORD, so the secret never shows in `ps`."""
    parts = urlsplit(libpq_url(url))
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
        parts = parts._replace(netloc=netloc)
    return parts._replace(scheme="postgresql").geturl(), env


def run_backup(
    url: str, *, backup_dir: Path, retention_days: int, now: datetime, prefix: str = "paperclip"
) -> BackupResult:
    if not _lock.acquire(blocking=False):
        raise Conflict("Database backup already in progress")
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(backup_dir, 0o700)
        stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"
        target = backup_dir / f"{prefix}-{stamp}{SUFFIX}"
        partial = target.with_name(target.name + ".partial")
        dsn, env = libpq_env(url)
        cmd = [
            str(wheel_bin_dir() / "pg_dump"),
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--format=plain",
            "--dbname",
            dsn,
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            with open(partial, "wb") as raw:
                os.chmod(partial, 0o600)
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as gz:
                    assert proc.stdout is not None
                    shutil.copyfileobj(proc.stdout, gz, 1024 * 1024)
                raw.flush()
                os.fsync(raw.fileno())
            stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            if proc.wait() != 0:
                raise AppError(
                    f"pg_dump failed: {stderr.strip().splitlines()[-1] if stderr.strip() else 'exit ' + str(proc.returncode)}",
                    status_code=500,
                )
            os.replace(partial, target)
        finally:
            if proc.poll() is None:
                proc.kill()
            partial.unlink(missing_ok=True)
        pruned = prune_backups(backup_dir, retention_days=retention_days, now=now, prefix=prefix, keep=target)
        return BackupResult(target, target.stat().st_size, pruned, backup_dir, retention_days)
    finally:
        _lock.release()


@dataclass
class BackupSchedule:
    """When automatic backups (database.backup.*) run; time is passed in, so tests drive it.

    The first backup is due one interval after start, not at start: a server in a crash/restart
    loop must not write (and prune by) a backup per restart.
    """

    url: str
    backup_dir: Path
    interval: timedelta
    retention_days: int
    next_due: datetime
    # Runs after each backup (the S3 copy, paperclip.storage.backups.copy_offsite); returns the result.
    after: Callable[[BackupResult, datetime], BackupResult] | None = None

    @classmethod
    def starting(
        cls,
        url: str,
        *,
        backup_dir: Path,
        interval_minutes: int,
        retention_days: int,
        now: datetime,
        after: Callable[[BackupResult, datetime], BackupResult] | None = None,
    ) -> BackupSchedule:
        interval = timedelta(minutes=interval_minutes)
        return cls(url, backup_dir, interval, retention_days, next_due=now + interval, after=after)

    def seconds_until_due(self, now: datetime) -> float:
        return max((self.next_due - now).total_seconds(), 0.0)

    def run_if_due(self, now: datetime) -> BackupResult | None:
        """Back up and prune when due (blocking: call it in a thread); None when not yet due."""
        if now < self.next_due:
            return None
        self.next_due = now + self.interval  # also after a failure: retry next interval, not in a tight loop
        result = run_backup(self.url, backup_dir=self.backup_dir, retention_days=self.retention_days, now=now)
        return self.after(result, now) if self.after is not None else result


def prune_backups(
    backup_dir: Path, *, retention_days: int, now: datetime, prefix: str, keep: Path | None = None
) -> int:
    cutoff = (now - timedelta(days=retention_days)).timestamp()
    pruned = 0
    for path in backup_dir.glob(f"{prefix}-*{SUFFIX}"):
        if path != keep and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            pruned += 1
    return pruned


def restore_backup(url: str, backup_file: Path) -> None:
    """Replay a backup into `url` in one transaction; any error leaves the database as it was.

    psql --single-transaction COMMITs at end of input, so a file that breaks off halfway (a
    truncated or corrupt gzip) must never reach psql's EOF: the file is checked whole first, and
    if reading still fails while streaming, psql is killed, which rolls the transaction back.
    """
    if not backup_file.is_file():
        raise AppError(f"Backup file not found: {backup_file}", status_code=404)
    opener = gzip.open if backup_file.name.endswith(".gz") else open
    try:
        with opener(backup_file, "rb") as src:
            while src.read(1024 * 1024):
                pass
    except (OSError, EOFError) as exc:
        raise AppError(
            f"Restore failed: {backup_file} is not a readable backup ({exc}); the database was not changed",
            status_code=400,
        ) from None
    dsn, env = libpq_env(url)
    cmd = [
        str(wheel_bin_dir() / "psql"),
        "--no-psqlrc",
        "--quiet",
        "--single-transaction",
        "-v",
        "ON_ERROR_STOP=1",
        "--dbname",
        dsn,
    ]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdin is not None and proc.stderr is not None
    # Drain stderr on a thread: a restore with many notices would otherwise fill the pipe and stall psql.
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    reader.start()
    try:
        with opener(backup_file, "rb") as src:
            shutil.copyfileobj(src, proc.stdin, 1024 * 1024)
        proc.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped on an error (ON_ERROR_STOP); its exit status says so below
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    code = proc.wait()
    reader.join()
    stderr = b"".join(errors).decode(errors="replace").strip()
    if code != 0:
        raise AppError(
            f"Restore failed, the database was not changed: {stderr.splitlines()[-1] if stderr else 'psql exited ' + str(code)}",
            status_code=500,
        )

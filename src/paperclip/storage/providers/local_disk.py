"""`local_disk`: objects are files under one base directory (dirs 0700, files 0600).

A write goes to a hidden temp file beside its target (`O_EXCL`), is fsync'd and renamed into place,
then the directory is fsync'd: a crash leaves either the whole object or none (a stale temp file at
worst, which never has an object's name)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from paperclip.errors import BadRequest
from paperclip.storage.base import READ_CHUNK, ObjectInfo, ObjectNotFound
from paperclip.storage.keys import normalize_key

TEMP_PREFIX = ".tmp-"


def make_private_dirs(path: Path) -> None:
    """mkdir -p with mode 0700 for every directory it creates (Path.mkdir gives parents the umask's mode)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            pass


class LocalDiskWriter:
    def __init__(self, target: Path):
        self.target = target
        make_private_dirs(target.parent)
        self.temp = target.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex}-{target.name}"[:255])
        self.fd: int | None = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)

    def write(self, data: bytes) -> None:
        assert self.fd is not None, "writer already finished"
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def commit(self) -> None:
        assert self.fd is not None, "writer already finished"
        try:
            os.fsync(self.fd)
        finally:
            os.close(self.fd)
            self.fd = None
        os.replace(self.temp, self.target)
        dir_fd = os.open(self.target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def abort(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.temp.unlink(missing_ok=True)


class LocalDiskProvider:
    id = "local_disk"

    def __init__(self, base_dir: Path):
        self.base_dir = Path(base_dir).expanduser().resolve()

    def describe(self) -> str:
        return f"local disk {self.base_dir}"

    def path_for(self, key: str) -> Path:
        path = (self.base_dir / normalize_key(key)).resolve()
        if path == self.base_dir or self.base_dir not in path.parents:
            raise BadRequest("Invalid object key path")
        return path

    def open_writer(self, key: str, content_type: str) -> LocalDiskWriter:
        make_private_dirs(self.base_dir)
        return LocalDiskWriter(self.path_for(key))

    def read(self, key: str, start: int | None = None, end: int | None = None) -> Iterator[bytes]:
        path = self.path_for(key)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the generator
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound() from None
        return self._chunks(handle, start, end)

    @staticmethod
    def _chunks(handle, start: int | None, end: int | None) -> Iterator[bytes]:
        with handle:
            if start:
                handle.seek(start)
            remaining = None if end is None else end - (start or 0) + 1
            while remaining is None or remaining > 0:
                chunk = handle.read(READ_CHUNK if remaining is None else min(READ_CHUNK, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            st = self.path_for(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return ObjectInfo(key, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))

    def delete(self, key: str) -> None:
        try:
            self.path_for(key).unlink(missing_ok=True)
        except (IsADirectoryError, NotADirectoryError):
            pass

    def list(self, prefix: str) -> list[ObjectInfo]:
        root = self.path_for(prefix.rstrip("/")) if prefix.strip("/") else self.base_dir
        if not root.is_dir():
            return []
        found = []
        for path in root.rglob("*"):
            if path.is_file() and not path.name.startswith(TEMP_PREFIX):
                st = path.stat()
                found.append(
                    ObjectInfo(
                        path.relative_to(self.base_dir).as_posix(),
                        st.st_size,
                        datetime.fromtimestamp(st.st_mtime, UTC),
                    )
                )
        return sorted(found, key=lambda o: o.key)

    def delete_prefix(self, prefix: str) -> int:
        objects = self.list(prefix)
        for obj in objects:
            self.delete(obj.key)
        root = self.path_for(prefix.rstrip("/")) if prefix.strip("/") else None
        if root is not None and root.is_dir():
            for path in sorted(
                (p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
            ):
                _rmdir_quietly(path)
            _rmdir_quietly(root)
        return len(objects)


def _rmdir_quietly(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass  # not empty (a concurrent write) or gone: fine

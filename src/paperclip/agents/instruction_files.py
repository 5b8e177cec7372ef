"""Files of an agent's instructions bundle on disk: path normalisation and symlink-proof I/O.

A bundle is a directory (the managed one under the instance root, or an external one an instance
admin chose). Paths from clients are bundle-relative; they are normalised as the original does
(backslashes become slashes, a leading slash and `.` segments are dropped, `..` pops a segment) and
refused when they climb out of the root. On disk every component is opened relative to its parent
with O_NOFOLLOW, so a symbolic link anywhere below the root is never followed, even one planted
between a check and the open; writes go to a temporary file renamed into place, so a reader never
sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from paperclip.errors import NotFound, Unprocessable

OUTSIDE_ROOT = "Instructions file path must stay within the bundle root"
FILE_NOT_FOUND = "Instructions file not found"
MAX_PATH_CHARS = 1024
MAX_SEGMENT_CHARS = 255
MAX_FILE_BYTES = 1024 * 1024  # an instructions file is prose for a model, not a data dump
MAX_FILES = 500  # per bundle; the listing stops there too
SKIPPED_DIRS = frozenset({".git", "node_modules"})  # external roots are often repositories

_LANGUAGES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdx": "markdown",
    ".json": "json",
    ".py": "python",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".sh": "shell",
}

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def normalize(raw: str) -> str:
    """The bundle-relative form of a client's path, or 422 when it leaves the root."""
    if "\x00" in raw or len(raw) > MAX_PATH_CHARS:
        raise Unprocessable("Invalid instructions file path", details={"field": "path"})
    parts: list[str] = []
    for segment in raw.replace("\\", "/").split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                raise Unprocessable(OUTSIDE_ROOT)
            parts.pop()
            continue
        if len(segment) > MAX_SEGMENT_CHARS:
            raise Unprocessable("Invalid instructions file path", details={"field": "path"})
        parts.append(segment)
    if not parts:
        raise Unprocessable(OUTSIDE_ROOT)
    return "/".join(parts)


def language(path: str) -> str:
    return _LANGUAGES.get(os.path.splitext(path)[1].lower(), "text")


@dataclass(frozen=True)
class FileInfo:
    path: str
    size: int


@contextlib.contextmanager
def _parent_dir(root: Path, rel: str, *, create: bool) -> Iterator[tuple[int, str]]:
    """An fd of the directory holding `rel` (each component opened without following links) and
    the file's name. Missing directories are created when `create`, else NotFound."""
    *dirs, name = rel.split("/")
    try:
        fd = os.open(root, _DIR_FLAGS)
    except FileNotFoundError:
        if not create:
            raise NotFound(FILE_NOT_FOUND) from None
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root, _DIR_FLAGS)
    except OSError as exc:
        raise _refused(exc) from None
    try:
        for part in dirs:
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise NotFound(FILE_NOT_FOUND) from None
                os.mkdir(part, 0o755, dir_fd=fd)
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError:
                # a symbolic link (ELOOP/ENOTDIR with O_NOFOLLOW) or a file where a directory should be
                if _is_link(fd, part):
                    raise Unprocessable(OUTSIDE_ROOT) from None
                if not create:
                    raise NotFound(FILE_NOT_FOUND) from None
                raise Unprocessable(
                    "Instructions file path goes through a file", details={"path": rel}
                ) from None
            os.close(fd)
            fd = nxt
        yield fd, name
    finally:
        os.close(fd)


def _is_link(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _refused(exc: OSError) -> Exception:
    if isinstance(exc, FileNotFoundError):
        return NotFound(FILE_NOT_FOUND)
    if isinstance(exc, (NotADirectoryError, IsADirectoryError)):
        return NotFound(FILE_NOT_FOUND)
    # ELOOP: the path goes through a symbolic link; we never follow one below the root
    return Unprocessable(OUTSIDE_ROOT)


def read(root: Path, rel: str) -> tuple[bytes, int]:
    """(content, size) of a regular file of the bundle."""
    with _parent_dir(root, rel, create=False) as (dir_fd, name):
        try:
            # O_NONBLOCK: a FIFO planted in the root must not hang the read
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(name, flags, dir_fd=dir_fd)
        except OSError as exc:
            raise _refused(exc) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise NotFound(FILE_NOT_FOUND)
        with os.fdopen(fd, "rb") as handle:
            if info.st_size > MAX_FILE_BYTES:
                raise Unprocessable(
                    f"Instructions file is larger than {MAX_FILE_BYTES} bytes", details={"path": rel}
                )
            return handle.read(MAX_FILE_BYTES + 1), info.st_size


def write(root: Path, rel: str, content: bytes) -> None:
    """Create or replace a file atomically (temporary file in the same directory, then rename)."""
    with _parent_dir(root, rel, create=True) as (dir_fd, name):
        try:
            existing = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            existing = None
        if existing is not None and stat.S_ISLNK(existing.st_mode):
            raise Unprocessable(OUTSIDE_ROOT)
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise Unprocessable("Instructions file path names a directory", details={"path": rel})
        tmp = f".{name[:200]}.{uuid.uuid4().hex}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=dir_fd)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            # rename() replaces a name in place: a symlink raced into `name` is replaced, never followed
            os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dir_fd)
            raise


def delete(root: Path, rel: str) -> None:
    """Remove a file; a missing one is not an error (as the original)."""
    try:
        with _parent_dir(root, rel, create=False) as (dir_fd, name):
            try:
                info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                return
            if stat.S_ISDIR(info.st_mode):
                raise Unprocessable("Instructions file path names a directory", details={"path": rel})
            os.unlink(name, dir_fd=dir_fd)  # unlinks a symlink itself, never its target
    except NotFound:
        return


def exists(root: Path, rel: str) -> bool:
    try:
        read(root, rel)
    except (NotFound, Unprocessable):
        return False
    return True


def list_files(root: Path) -> list[FileInfo]:
    """Regular files below the root (symbolic links skipped, not followed), sorted case-insensitively."""
    out: list[FileInfo] = []
    if not root.is_dir() or root.is_symlink():
        return out
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        base = Path(current)
        for name in sorted(filenames):
            if name.endswith(".tmp") and name.startswith("."):
                continue  # a write in progress
            info = os.lstat(base / name)
            if not stat.S_ISREG(info.st_mode):
                continue
            rel = (base / name).relative_to(root).as_posix()
            out.append(FileInfo(rel, info.st_size))
            if len(out) >= MAX_FILES:
                break
        if len(out) >= MAX_FILES:
            break
    out.sort(key=lambda f: (f.path.lower(), f.path))
    return out

"""What a doctor check returns: a status, a one-line message, a hint, and maybe a safe repair."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["pass", "warn", "fail"]


@dataclass
class CheckResult:
    name: str
    status: Status
    message: str
    hint: str | None = None
    # A fix that is always safe to apply (never destroys data); returns what it did.
    repair: Callable[[], str] | None = None
    # A failure that makes the remaining checks meaningless (no usable config).
    stop: bool = False
    repaired: str | None = None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "hint": self.hint,
            "repairable": self.repair is not None,
            "repaired": self.repaired,
        }


def directory_problem(path: Path) -> str | None:
    """None when `path` is an existing directory we can create files in, else why not."""
    if not path.exists():
        return f"{path} does not exist"
    if not path.is_dir():
        return f"{path} is not a directory"
    try:
        fd, probe = tempfile.mkstemp(prefix=".paperclip-doctor-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"{path} is not writable ({exc.strerror})"
    return None


def make_dirs(path: Path) -> Callable[[], str]:
    def repair() -> str:
        path.mkdir(parents=True, exist_ok=True)
        return f"created {path}"

    return repair

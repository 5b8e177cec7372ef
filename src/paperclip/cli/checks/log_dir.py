"""Check 8, Log directory: server.log can be written."""

from __future__ import annotations

from paperclip.cli.checks.base import CheckResult, directory_problem, make_dirs
from paperclip.config import Settings

NAME = "Log directory"


def check(settings: Settings) -> CheckResult:
    directory = settings.log_dir
    if not directory.exists():
        return CheckResult(
            NAME,
            "warn",
            f"Log directory {directory} does not exist yet",
            "Run `paperclipai doctor --repair` to create it",
            make_dirs(directory),
        )
    problem = directory_problem(directory)
    if problem:
        return CheckResult(
            NAME, "fail", problem, "Fix the permissions, or set PAPERCLIP_LOG_DIR (logging.logDir)"
        )
    return CheckResult(NAME, "pass", f"Writable: {directory}")

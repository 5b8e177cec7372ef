"""What probing an environment checks, for real, on this host. The local driver is usable when the
server's working directory (where agents' commands start unless they name their own) is a readable,
searchable directory and a POSIX shell is on the PATH (process adapters run through it); the answer
has the original's shape (`hostname`, `cwd`). Other drivers cannot run agents here."""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any

LOCAL_OK = "Local environment is available on this Paperclip host."
LOCAL_FAILED = "Local environment is not usable on this Paperclip host."


def probe_local() -> dict[str, Any]:
    cwd: str | None = None
    problem: str | None = None
    try:
        cwd = os.getcwd()
    except OSError as exc:  # the directory was removed under the server
        problem = f"working directory unavailable: {exc.strerror or exc}"
    else:
        if not os.path.isdir(cwd) or not os.access(cwd, os.R_OK | os.X_OK):
            problem = f"working directory {cwd} is not accessible"
    if problem is None and shutil.which("sh") is None:
        problem = "no sh on the PATH"
    details: dict[str, Any] = {"hostname": socket.gethostname(), "cwd": cwd}
    if problem is not None:
        details["error"] = problem
        return {"ok": False, "driver": "local", "summary": LOCAL_FAILED, "details": details}
    return {"ok": True, "driver": "local", "summary": LOCAL_OK, "details": details}


def probe_driver(driver: str) -> dict[str, Any]:
    if driver == "local":
        return probe_local()
    label = "SSH" if driver == "ssh" else driver.capitalize()
    return {
        "ok": False,
        "driver": driver,
        "summary": f"{label} environments are not supported by this server.",
        "details": {"error": "agent runs execute on the local driver only"},
    }

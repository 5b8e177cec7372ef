"""Start-up phase marks for bench/startup_bench.py: with PAPERCLIP_STARTUP_TRACE=<file>, each server
process appends `<wall time> <pid> <CPU seconds of this process> <phase>` lines to the file as it
reaches a phase. Unset (always, outside the bench), a mark is one dictionary lookup."""

from __future__ import annotations

import os
import time


def mark(phase: str) -> None:
    path = os.environ.get("PAPERCLIP_STARTUP_TRACE")
    if not path:
        return
    line = f"{time.time():.6f} {os.getpid()} {time.process_time():.4f} {phase}\n"
    # One write per line with O_APPEND: the processes' lines do not interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)

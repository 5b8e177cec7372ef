"""Agent processes die with the process that started them, even when it is killed with -9.

Every agent runs in its own process group (adapters.spawn). A small watchdog process, started with
the first agent of a server process, holds the read end of a pipe whose write end only that server
process has; it is told `+<pgid>` / `-<pgid>` as groups start and end. When the pipe reaches end of
file — the server process is gone, however it went — the watchdog signals every group still
listed (SIGTERM, then SIGKILL after a short grace) and exits.

Why not PR_SET_PDEATHSIG: it needs a preexec hook, which turns the vfork spawn into a full fork
of a large process (~20 ms instead of ~0.4 ms per run in a burst), and it reaches only the direct
child, not the grandchildren an agent CLI starts in its group.

Run as `python -m paperclip.adapters.watchdog` (a fresh, small interpreter; nothing of the server).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = 3.0

_lock = threading.Lock()
_pipe: tuple[int, int, subprocess.Popen] | None = None  # (owner pid, write fd, watchdog process)


def _ensure() -> int | None:
    """The write end of this process's watchdog pipe, starting the watchdog if needed (also after a
    fork: a child must not share its parent's watchdog)."""
    global _pipe
    if _pipe is not None and _pipe[0] == os.getpid() and _pipe[2].poll() is None:
        return _pipe[1]
    _forget_in_child()  # a dead watchdog's pipe
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paperclip.adapters.watchdog"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        return None  # no watchdog: agents still stop with a clean shutdown and are reaped at next start
    assert proc.stdin is not None
    _pipe = (os.getpid(), proc.stdin.fileno(), proc)
    return _pipe[1]


def _forget_in_child() -> None:
    """Drops the pipe: in a forked child, which must not hold its parent's write end (the watchdog
    would never see EOF), and after the watchdog died."""
    global _pipe
    if _pipe is not None:
        stdin = _pipe[2].stdin
        if stdin is not None:
            try:
                stdin.close()
            except OSError:
                pass
        _pipe = None


os.register_at_fork(after_in_child=_forget_in_child)


def _tell(line: str) -> None:
    with _lock:
        for _ in range(2):
            fd = _ensure()
            if fd is None:
                return
            try:
                os.write(fd, line.encode())
                return
            except OSError:  # the watchdog died: start another and say it again
                _forget_in_child()


def watch(pgid: int) -> None:
    _tell(f"+{pgid}\n")


def unwatch(pgid: int) -> None:
    _tell(f"-{pgid}\n")


def _kill_all(groups: set[int]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pgid in list(groups):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                groups.discard(pgid)
            except PermissionError:
                groups.discard(pgid)
        deadline = time.monotonic() + GRACE_SECONDS
        while groups and sig == signal.SIGTERM and time.monotonic() < deadline:
            time.sleep(0.05)
            for pgid in list(groups):
                try:
                    os.killpg(pgid, 0)
                except (ProcessLookupError, PermissionError):
                    groups.discard(pgid)


def main() -> None:
    # Signals meant for the server (a terminal's Ctrl-C, a supervisor's SIGTERM to the group) must
    # not end the watchdog before it has seen the server go.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    groups: set[int] = set()
    for line in sys.stdin.buffer:
        text = line.strip().decode("ascii", "replace")
        if len(text) > 1 and text[1:].isdigit():
            (groups.add if text[0] == "+" else groups.discard)(int(text[1:]))
    _kill_all(groups)


if __name__ == "__main__":
    main()

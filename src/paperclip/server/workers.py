"""Several server worker processes on one listening socket (PAPERCLIP_WORKERS).

Python runs one request at a time per process, so on a multi-core machine the API scales with
processes. `paperclip.server.runtime` forks N HTTP workers (PAPERCLIP_WORKERS, default 1) plus one
background process for heartbeats, the scheduler and backups (wake-ups reach it through PostgreSQL
NOTIFY), unless PAPERCLIP_HEARTBEAT_PROCESS=inline. The parent
only forks, forwards SIGTERM/SIGINT and waits; it stops the embedded database after every worker
has exited.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable

log = logging.getLogger("paperclip.server")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_workers(
    count: int,
    sock: socket.socket,
    serve_one: Callable[[socket.socket, int], None],
    *,
    grace_seconds: float = 9.0,
) -> int:
    """Fork `count` workers running `serve_one(sock, index)`; returns the exit code for the parent."""
    children: dict[int, int] = {}
    parent = os.getpid()
    for index in range(count):
        pid = os.fork()
        if pid == 0:  # worker
            code = 1
            try:
                # Own process group: a terminal's Ctrl-C reaches only the parent, which forwards it
                # once (a second signal would make uvicorn skip the graceful shutdown).
                os.setpgrp()
                for sig in STOP_SIGNALS:
                    signal.signal(sig, signal.SIG_DFL)
                _stop_when_parent_dies(parent)
                serve_one(sock, index)
                code = 0
            except BaseException:
                log.exception("server worker %d failed", index)
            finally:
                logging.shutdown()
                os._exit(code)
        children[pid] = index

    stopping = False

    def forward(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    previous = {sig: signal.signal(sig, forward) for sig in STOP_SIGNALS}
    failed = False
    deadline = None
    try:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                if stopping and deadline is None:
                    deadline = time.monotonic() + grace_seconds
                if deadline is not None and time.monotonic() > deadline:
                    for child in list(children):
                        try:
                            os.kill(child, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                time.sleep(0.05)
                continue
            index = children.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            if not stopping and code != 0:
                # One worker gone means the instance is degraded: stop the others rather than limp.
                log.error("server worker %d exited with %s; stopping the other workers", index, code)
                failed = True
                forward(signal.SIGTERM, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0


def _stop_when_parent_dies(parent: int) -> None:
    """A parent killed outright (SIGKILL, OOM) is a crashed server: its processes must not go on
    serving the port or running heartbeats on their own. The kernel kills them with it, exactly as
    if the server were one process; the next start recovers lost runs. Linux only; elsewhere a no-op."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)

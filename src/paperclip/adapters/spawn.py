"""The one subprocess helper every CLI adapter uses: no shell, own process group, streamed output,
timeout and cancellation as SIGTERM to the whole group, then SIGKILL after the grace period."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import signal
import subprocess
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from paperclip.adapters import watchdog

CHUNK = 65536
MAX_LINE_HOLD = 256 * 1024  # a partial line longer than this is flushed anyway
PIPE_DRAIN_SECONDS = 1.0  # after the main process exits, how long its pipes may stay open


@dataclass
class SpawnResult:
    exit_code: int | None
    signal: str | None
    timed_out: bool
    cancelled: bool
    pid: int | None
    stdout_tail: str
    stderr_tail: str
    spawn_error: str | None = None


# Start times read right after each spawn (the child has exec'd by then: Popen waits for that), so
# an `on_spawn` callback can record the pid with its start time without touching /proc again.
_START_TICKS: dict[int, str | None] = {}


def _popen(argv: list[str], **kwargs) -> subprocess.Popen:
    proc = subprocess.Popen(argv, **kwargs)
    _START_TICKS[proc.pid] = process_start_ticks(proc.pid)
    return proc


def spawned_start_ticks(pid: int) -> str | None:
    """The start time of a process `run_process` just started (for its `on_spawn` callback)."""
    ticks = _START_TICKS.get(pid)
    return ticks if ticks is not None else process_start_ticks(pid)


def _signal_name(code: int | None) -> str | None:
    if code is None or code >= 0:
        return None
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"SIG{-code}"


def kill_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


class _PipeReader:
    """Reads the child's stdout and stderr on the event loop (non-blocking pipes watched with
    add_reader: no thread per run) and hands whole lines on, so a secret is never split across two
    chunks. It owns and closes the pipes."""

    def __init__(self, loop: asyncio.AbstractEventLoop, proc: subprocess.Popen):
        self.loop = loop
        self.queue: asyncio.Queue = asyncio.Queue()
        self._open: dict[int, tuple[object, str]] = {}
        for pipe, name in ((proc.stdout, "stdout"), (proc.stderr, "stderr")):
            fd = pipe.fileno()
            os.set_blocking(fd, False)
            self._open[fd] = (pipe, name)
            loop.add_reader(fd, self._readable, fd)

    def _readable(self, fd: int) -> None:
        entry = self._open.get(fd)
        if entry is None:
            return
        try:
            data = os.read(fd, CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            self.queue.put_nowait((entry[1], data))
        else:
            self._close(fd)

    def _close(self, fd: int) -> None:
        entry = self._open.pop(fd, None)
        if entry is None:
            return
        with contextlib.suppress(Exception):
            self.loop.remove_reader(fd)
        with contextlib.suppress(Exception):
            entry[0].close()
        if not self._open:
            self.queue.put_nowait(None)

    def stop(self) -> None:
        for fd in list(self._open):
            self._close(fd)

    async def forward(self, on_output, tails: dict[str, _Tail]) -> None:
        pending = {"stdout": b"", "stderr": b""}
        while True:
            item = await self.queue.get()
            if item is None:
                break
            name, data = item
            buf = pending[name] + data
            cut = buf.rfind(b"\n")
            if cut < 0 and len(buf) < MAX_LINE_HOLD:
                pending[name] = buf
                continue
            emit, pending[name] = (buf[: cut + 1], buf[cut + 1 :]) if cut >= 0 else (buf, b"")
            await _emit(emit, name, on_output, tails[name])
        for name, rest in pending.items():
            if rest:
                await _emit(rest, name, on_output, tails[name])


class _Tail:
    """The last `limit` characters of a stream (at least the last chunk), kept with a running size:
    a flood of output costs O(1) per chunk here."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: collections.deque[str] = collections.deque()
        self.size = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        while len(self.parts) > 1 and self.size - len(self.parts[0]) >= self.limit:
            self.size -= len(self.parts.popleft())

    def text(self) -> str:
        return "".join(self.parts)


async def _emit(data: bytes, name: str, on_output, tail: _Tail) -> None:
    text = data.decode("utf-8", errors="replace")
    tail.add(text)
    await on_output(name, text)


async def run_process(
    command: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str | None = None,
    stdin_data: bytes | None = None,
    timeout_sec: float = 0,
    grace_sec: float = 15,
    cancel: asyncio.Event | None = None,
    on_output: Callable[[str, str], Awaitable[None]],
    on_spawn: Callable[[int], Awaitable[None]] | None = None,
    tail_limit: int = 64 * 1024,
) -> SpawnResult:
    """Run `command args…` (never through a shell) and wait for it, streaming its output.

    The child leads a new session, so its pid is its process group id: stopping it signals the
    whole group (grandchildren included).
    """
    loop = asyncio.get_running_loop()
    try:
        # On the event loop itself: Popen here uses vfork (no preexec_fn, no user/group change), so
        # the parent pauses only until the child has exec'd (~0.4 ms of CPU). Worker threads were
        # slower: each spawn queued for the GIL behind the loop, ~20 ms per spawn in a burst.
        proc = _popen(
            [command, *args],
            cwd=cwd or None,
            env=dict(env),
            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return SpawnResult(
            None, None, False, False, None, "", "", spawn_error=f"Failed to start {command!r}: {exc}"
        )

    pid = proc.pid
    watchdog.watch(pid)  # the group dies with this process, even with a kill -9 of it
    try:
        return await _supervise(
            proc,
            loop,
            stdin_data=stdin_data,
            timeout_sec=timeout_sec,
            grace_sec=grace_sec,
            cancel=cancel,
            on_output=on_output,
            on_spawn=on_spawn,
            tail_limit=tail_limit,
        )
    finally:
        watchdog.unwatch(pid)


async def _supervise(
    proc: subprocess.Popen,
    loop: asyncio.AbstractEventLoop,
    *,
    stdin_data: bytes | None,
    timeout_sec: float,
    grace_sec: float,
    cancel: asyncio.Event | None,
    on_output: Callable[[str, str], Awaitable[None]],
    on_spawn: Callable[[int], Awaitable[None]] | None,
    tail_limit: int,
) -> SpawnResult:
    pid = proc.pid
    waiter = _exit_waiter(loop, proc)
    try:
        if on_spawn is not None:
            await on_spawn(pid)
    finally:
        _START_TICKS.pop(pid, None)
    out_tail, err_tail = _Tail(tail_limit), _Tail(tail_limit)
    pipes = _PipeReader(loop, proc)
    readers = [asyncio.create_task(pipes.forward(on_output, {"stdout": out_tail, "stderr": err_tail}))]
    if stdin_data is not None:
        await asyncio.to_thread(_feed, proc, stdin_data)

    timed_out = cancelled = False
    watchers: list[asyncio.Future] = [waiter]
    cancel_task = asyncio.create_task(cancel.wait()) if cancel is not None else None
    if cancel_task is not None:
        watchers.append(cancel_task)
    try:
        done, _ = await asyncio.wait(
            watchers,
            timeout=timeout_sec if timeout_sec and timeout_sec > 0 else None,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if waiter not in done:
            if cancel_task is not None and cancel_task in done:
                cancelled = True
            else:
                timed_out = True
            await stop_group(pid, waiter, grace_sec)
    finally:
        if cancel_task is not None:
            cancel_task.cancel()
        if (
            not waiter.done()
        ):  # our caller was cancelled (server shutting down): do not leave the child behind
            await stop_group(pid, waiter, min(grace_sec, 3))
    exit_code = proc.returncode
    # Output still buffered in the pipes is read; a grandchild holding them open is not waited for.
    _, still_open = await asyncio.wait(readers, timeout=PIPE_DRAIN_SECONDS)
    if still_open:
        kill_group(pid, signal.SIGKILL)
        _, still_open = await asyncio.wait(readers, timeout=PIPE_DRAIN_SECONDS)
        for task in still_open:
            task.cancel()
    pipes.stop()
    return SpawnResult(
        exit_code=exit_code if exit_code is not None and exit_code >= 0 else None,
        signal=_signal_name(exit_code),
        timed_out=timed_out,
        cancelled=cancelled,
        pid=pid,
        stdout_tail=out_tail.text(),
        stderr_tail=err_tail.text(),
    )


async def stop_group(pgid: int, waiter: asyncio.Future, grace_sec: float) -> None:
    """SIGTERM to the group, SIGKILL after `grace_sec` if the leader is still there."""
    kill_group(pgid, signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.shield(waiter), timeout=max(grace_sec, 0))
    except TimeoutError:
        pass
    kill_group(pgid, signal.SIGKILL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(waiter), timeout=5)


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    try:
        proc.stdin.write(data)
        proc.stdin.flush()
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            proc.stdin.close()


def _exit_waiter(loop: asyncio.AbstractEventLoop, proc: subprocess.Popen) -> asyncio.Future:
    """A future with the exit status: a pidfd watched by the loop (Linux), else a thread that waits."""
    future: asyncio.Future = loop.create_future()
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        return asyncio.ensure_future(asyncio.to_thread(proc.wait))

    def exited() -> None:
        loop.remove_reader(fd)
        os.close(fd)
        if not future.done():
            future.set_result(proc.wait())

    def cancelled(fut: asyncio.Future) -> None:
        if fut.cancelled():
            with contextlib.suppress(Exception):
                loop.remove_reader(fd)
                os.close(fd)

    loop.add_reader(fd, exited)
    future.add_done_callback(cancelled)
    return future


def process_start_ticks(pid: int) -> str | None:
    """The start time of a process (field 22 of /proc/<pid>/stat): with the pid, it names one process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    # the command name (field 2) may contain spaces and parentheses: split after the last ')'
    fields = raw[raw.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None

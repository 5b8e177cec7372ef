"""Prometheus metrics (GET /api/metrics), off unless PAPERCLIP_METRICS_ENABLED=true.

A server is several processes (HTTP workers and the heartbeat process, see server/workers.py), and a
scrape reaches one of them: counters and histograms go through prometheus_client's multiprocess
mode (`paperclip run` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before any worker forks),
and the scrape merges every process's files. Facts that live in the database (queued runs, hard
budget stops, connections) are read at scrape time, so every replica reports the same numbers.

Nothing here imports prometheus_client until metrics are enabled: `enable()` does, after the
multiprocess directory is known. Recording functions are no-ops while disabled.
"""

from __future__ import annotations

import asyncio
import os
import time
from bisect import bisect_left
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
HTTP_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RUN_BUCKETS = (0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
TICK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FLUSH_SECONDS = 1.0
MAX_HTTP_SERIES = 5000

_m: Any = None  # the metric objects once enabled


class _Metrics:
    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.http_requests = Counter(
            "paperclip_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
        )
        self.http_duration = Histogram(
            "paperclip_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
        )
        self.runs_started = Counter(
            "paperclip_heartbeat_runs_started", "Heartbeat runs started by this server", ["adapter"]
        )
        self.runs_finished = Counter(
            "paperclip_heartbeat_runs_finished", "Heartbeat runs finished, by outcome", ["outcome"]
        )
        self.run_duration = Histogram(
            "paperclip_heartbeat_run_duration_seconds",
            "Heartbeat run duration by outcome",
            ["outcome"],
            buckets=RUN_BUCKETS,
        )
        self.tick_duration = Histogram(
            "paperclip_heartbeat_scheduler_tick_duration_seconds",
            "Scheduler tick duration",
            buckets=TICK_BUCKETS,
        )
        self.http_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        # Requests are added up here (plain Python, ~1 us) and written to prometheus-client's values
        # (~13 us a request in multiprocess mode, where each is an mmap'd file) once a second and
        # before every scrape: key -> [count, sum of seconds, per-bucket counts].
        self.pending: dict[tuple[str, str, int], list] = {}


def enable() -> None:
    """Create the metric objects (idempotent). Call after PROMETHEUS_MULTIPROC_DIR is settled."""
    global _m
    if _m is None:
        _m = _Metrics()


def enabled() -> bool:
    return _m is not None


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """The request middleware's call (hot path): one dict lookup and three additions."""
    m = _m
    if m is None:
        return
    key = (method, route, status)
    acc = m.pending.get(key)
    if acc is None:
        acc = m.pending[key] = [0, 0.0, [0] * (len(HTTP_BUCKETS) + 1)]
    acc[0] += 1
    acc[1] += seconds
    acc[2][bisect_left(HTTP_BUCKETS, seconds)] += 1  # the first bucket whose bound >= seconds, or +Inf


def flush() -> None:
    """Write the added-up requests into the metric values (the event loop's thread, like the adds)."""
    m = _m
    if m is None or not m.pending:
        return
    pending, m.pending = m.pending, {}
    for (method, route, status), (count, total, buckets) in pending.items():
        key = (method, route, status)
        children = m.http_children.get(key)
        if children is None:
            if len(m.http_children) >= MAX_HTTP_SERIES:  # templates, not raw paths; bounded anyway
                key, route = (method, "other", status), "other"
                children = m.http_children.get(key)
            if children is None:
                children = m.http_children[key] = (
                    m.http_requests.labels(method, route, str(status)),
                    m.http_duration.labels(method, route),
                )
        counter, histogram = children
        counter.inc(count)
        # Histogram.observe one at a time would cost what the batching saves: add to its values directly.
        histogram._sum.inc(total)
        for index, n in enumerate(buckets):
            if n:
                histogram._buckets[index].inc(n)


class Flusher:
    """flush() every FLUSH_SECONDS on the running loop, and once more when stopped."""

    def __init__(self) -> None:
        self._handle: asyncio.TimerHandle | None = None
        self._schedule()

    def _schedule(self) -> None:
        self._handle = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._tick)

    def _tick(self) -> None:
        try:
            flush()
        finally:
            self._schedule()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        flush()


def run_started(adapter: str) -> float:
    if _m is not None:
        _m.runs_started.labels(adapter).inc()
    return time.monotonic()


def run_finished(outcome: str, started: float) -> None:
    if _m is not None:
        _m.runs_finished.labels(outcome).inc()
        _m.run_duration.labels(outcome).observe(time.monotonic() - started)


def tick_finished(seconds: float) -> None:
    if _m is not None:
        _m.tick_duration.observe(seconds)


def prepare_multiprocess_dir(path: str) -> None:
    """Before the server forks: every process writes its samples under `path` (emptied first)."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.unlink(os.path.join(path, name))
    os.environ[MULTIPROC_ENV] = path


def mark_process_dead(pid: int) -> None:
    """A worker exited: its live gauges stop counting (counters keep their totals)."""
    if os.environ.get(MULTIPROC_ENV) and _m is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)

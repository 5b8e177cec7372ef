"""Metrics figures (a script that prints numbers, not a test).

    .venv/bin/python bench/metrics_bench.py [--routes 700] [--processes 3]

- the request middleware's metrics call (added up in plain Python) vs prometheus-client's own
  Counter.inc + Histogram.observe, in multiprocess mode (what `paperclipai run` uses);
- a scrape's exposition time (merge of every process's files + text) with about 10,000 series:
  `--routes` route templates x (1 counter + 15 histogram lines), written by `--processes` processes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import timeit

CHILD = """
import sys
from paperclip import metrics
metrics.enable()
for i in range(int(sys.argv[1])):
    metrics.observe_request("GET", f"/api/bench/route{i}/{{id}}", 200, 0.003 * (i % 50))
metrics.flush()
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", type=int, default=700)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="paperclip-metrics-bench-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    from prometheus_client import CollectorRegistry, generate_latest, multiprocess

    from paperclip import metrics

    metrics.enable()
    n = 50000
    ours = (
        min(
            timeit.repeat(
                lambda: metrics.observe_request("GET", "/api/x/{id}", 200, 0.0012), number=n, repeat=5
            )
        )
        / n
    )
    m = metrics._m
    counter, histogram = (
        m.http_requests.labels("GET", "/api/y", "200"),
        m.http_duration.labels("GET", "/api/y"),
    )

    def direct() -> None:
        counter.inc()
        histogram.observe(0.0012)

    theirs = min(timeit.repeat(direct, number=n // 5, repeat=5)) / (n // 5)
    print(
        f"per request: added up {ours * 1e6:.2f} us; Counter.inc + Histogram.observe (mmap) {theirs * 1e6:.2f} us"
    )
    for _ in range(args.processes):
        subprocess.run([sys.executable, "-c", CHILD, str(args.routes)], check=True, env=dict(os.environ))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        body = generate_latest(registry)
        times.append(time.perf_counter() - start)
    series = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
    print(
        f"scrape: {series} series from {args.processes + 1} processes' files, {len(body) / 1024:.0f} KiB, "
        f"{min(times) * 1000:.0f} ms best / {sorted(times)[2] * 1000:.0f} ms median of 5"
    )
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()

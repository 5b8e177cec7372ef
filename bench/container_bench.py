"""Container figures (a script that prints numbers, not a test): image size, container cold start to a
healthy /api/health, warm restart, memory, stop.

    scripts/test-container                      # builds localhost/paperclip:latest (podman), or:
    podman build --runtime runc --format docker --network host \\
        --build-arg BASE_IMAGE=localhost/paperclip-base:bookworm -t localhost/paperclip:latest .
    .venv/bin/python bench/container_bench.py [--image localhost/paperclip:latest] [--runs 3]

The one-container trial (no DATABASE_URL: embedded PostgreSQL in a volume), as `docker run` starts it:
  cold start   `run` → first 200 from /api/health on a new volume (initdb + migrations included)
  warm start   the container stopped and started again on the same volume (median of --runs)
  memory       `podman stats` of the container after it sat idle (every process in it, PostgreSQL too)
  stop         `podman stop` (SIGTERM; the server's clean stop) → exited
Needs podman with runc (see /work/shared/containers.md or docs/deploy/container.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import free_port  # noqa: E402

PODMAN = ["podman", "--runtime", "runc"]


def podman(*args: str, check: bool = True) -> str:
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"podman {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def wait_healthy(port: int, started: float, timeout: float = 300) -> float:
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as response:
                if response.status == 200 and json.load(response).get("status") == "ok":
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            pass
        time.sleep(0.05)
    raise SystemExit("the container did not become healthy in time")


def timed_stop(name: str) -> float:
    started = time.perf_counter()
    podman("stop", "-t", "10", name)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--image", default="localhost/paperclip:latest")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    args = parser.parse_args()

    info = json.loads(podman("image", "inspect", args.image))[0]
    layers = podman("history", "--format", "{{.Size}}\t{{.CreatedBy}}", args.image).splitlines()
    print(
        f"image               {args.image}: {info['Size'] / 1e6:.0f} MB ({len(info['RootFS']['Layers'])} layers)"
    )
    for line in layers:
        size, _, created_by = line.partition("\t")
        if size not in ("0B", "0 B"):
            print(f"  {size:>9}  {created_by.strip()[:90]}")

    tag = f"pcbench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    volume, name = f"{tag}-home", f"{tag}-app"
    try:
        started = time.perf_counter()
        podman(
            "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:3100", "-v", f"{volume}:/paperclip",
            "-e", "PAPERCLIP_DB_BACKUP_ENABLED=false", args.image,
        )  # fmt: skip
        cold = wait_healthy(port, started)
        time.sleep(args.idle_seconds)
        memory = podman("stats", "--no-stream", "--format", "{{.MemUsage}}", name, check=False) or "?"
        stops = [timed_stop(name)]
        warm = []
        for _ in range(args.runs):
            started = time.perf_counter()
            podman("start", name)
            warm.append(wait_healthy(port, started))
            stops.append(timed_stop(name))
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)
        podman("volume", "rm", "-f", volume, check=False)

    print(
        f"cold start          {cold:.2f} s  (docker run → /api/health 200, embedded PostgreSQL: initdb + migrations)"
    )
    print(
        f"warm start          {statistics.median(warm):.2f} s median, {min(warm):.2f} s best of {len(warm)}  (start on the same volume)"
    )
    print(f"idle memory         {memory}  (every process in the container, PostgreSQL included)")
    print(f"stop (SIGTERM)      {statistics.median(stops):.2f} s median")


if __name__ == "__main__":
    main()

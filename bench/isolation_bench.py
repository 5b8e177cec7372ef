"""Run isolation figures (printed, not asserted): does a misbehaving agent slow the others down?

    .venv/bin/python bench/isolation_bench.py                 # starts its own embedded PostgreSQL
    .venv/bin/python bench/isolation_bench.py --huge-mb 300 --runs 10
    .venv/bin/python bench/isolation_bench.py --only flood      # or --only huge: one misbehaving agent

1. a well-behaved agent's run time (a process printing 100 short lines over ~0.1 s), alone:
   median of --runs runs, one after another;
2. the same beside an agent flooding its output (~25 MB/s for the whole measurement) and an HTTP
   agent answering a --huge-mb body (woken again as soon as each of its runs ends);
   goal: within 20% of (1);
3. the heartbeat process's peak memory (VmHWM) before and after the huge HTTP answers; goal: flat.

The server is laid out as `paperclipai run` does (one HTTP worker, one heartbeat process).
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import bench_database  # noqa: E402
from heartbeat_bench import Bench  # noqa: E402  (its server start, its `--serve`)

QUIET = ["-c", "i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done; sleep 0.1"]
FLOOD = """
import sys, time
line = ("x" * 127 + "\\n").encode()
block = line * 2048  # 256 KB
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    sys.stdout.buffer.write(block)
    sys.stdout.buffer.flush()
    time.sleep(0.01)
"""


class HugeAnswer:
    """A local HTTP agent answering 200 with `size` bytes, written in 1 MB pieces."""

    def __init__(self, size: int):
        self.size = size
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/huge"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n\r\n" % self.size
                )
                piece = b"y" * (1024 * 1024)
                for _ in range(self.size // len(piece)):
                    conn.sendall(piece)
            except OSError:
                return


def heartbeat_pid(server_pid: int) -> int:
    """The server's first child: the process that runs heartbeats (PAPERCLIP_HEARTBEAT_PROCESS=separate)."""
    children: list[int] = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        children += [int(p) for p in (task / "children").read_text().split()]
    return min(children)


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Isolation(Bench):
    def agent(self, company: uuid.UUID, adapter: str, config: dict) -> uuid.UUID:
        aid = uuid.uuid4()
        self.db.execute(
            "INSERT INTO agents (id, company_id, name, adapter_type, adapter_config) "
            "VALUES (%s, %s, %s, %s, %s)",
            (aid, company, f"{adapter} {aid.hex[:4]}", adapter, psycopg.types.json.Jsonb(config)),
        )
        return aid

    def wake(self, http: httpx.Client, agent: uuid.UUID) -> str:
        res = http.post(f"/api/agents/{agent}/wakeup", json={})
        assert res.status_code == 202, res.text
        return res.json()["id"]

    def wait(self, run_id: str, timeout: float = 120) -> tuple[str, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.db.execute(
                "SELECT status, extract(epoch FROM finished_at - started_at) FROM heartbeat_runs "
                "WHERE id = %s AND finished_at IS NOT NULL",
                (run_id,),
            ).fetchone()
            if row:
                return row[0], float(row[1])
            time.sleep(0.01)
        raise SystemExit(f"run {run_id} did not finish")

    def quiet_runs(self, http: httpx.Client, agent: uuid.UUID, runs: int) -> list[float]:
        times = []
        for _ in range(runs):
            status, seconds = self.wait(self.wake(http, agent))
            if status != "succeeded":
                print(f"  quiet run ended {status}")
            times.append(seconds * 1000)
        return times

    def run(self, runs: int, huge_mb: int, only: str | None = None) -> None:
        company = self.company()
        quiet = self.agent(company, "process", {"command": "/bin/sh", "args": QUIET})
        flood_seconds = 600
        flooder = self.agent(
            company,
            "process",
            {
                "command": sys.executable,
                "args": ["-c", FLOOD, str(flood_seconds)],
                "timeoutSec": flood_seconds + 30,
            },
        )
        huge = HugeAnswer(huge_mb * 1024 * 1024)
        hugger = self.agent(company, "http", {"url": huge.url, "timeoutSec": 300})
        hb = heartbeat_pid(self.server.pid)
        with httpx.Client(base_url=self.api, timeout=60) as http:
            self.quiet_runs(http, quiet, 2)  # warm-up
            alone = self.quiet_runs(http, quiet, runs)
            hwm_before = vm_hwm_mb(hb)
            stop = threading.Event()
            huge_runs: list[tuple[str, float]] = []

            hwm_first: list[float] = []

            def keep_hugging() -> None:
                with httpx.Client(base_url=self.api, timeout=60) as own:
                    while not stop.is_set():
                        huge_runs.append(self.wait(self.wake(own, hugger), timeout=600))
                        if len(huge_runs) == 1:
                            hwm_first.append(vm_hwm_mb(hb))

            flood_run = self.wake(http, flooder) if only != "huge" else None
            hugging = threading.Thread(target=keep_hugging, daemon=True)
            if only != "flood":
                hugging.start()
            time.sleep(1.0)  # both misbehaving agents are at it
            beside = self.quiet_runs(http, quiet, runs)
            stop.set()
            if hugging.is_alive():
                hugging.join(600)
            if flood_run:
                http.post(f"/api/heartbeat-runs/{flood_run}/cancel")
            hwm_after = vm_hwm_mb(hb)
        a, b = statistics.median(alone), statistics.median(beside)
        print(f"QUIET RUN alone: median {a:.0f} ms (min {min(alone):.0f}, max {max(alone):.0f}, n={runs})")
        print(
            f"QUIET RUN beside a flooder and a {huge_mb} MB HTTP answer: median {b:.0f} ms "
            f"(min {min(beside):.0f}, max {max(beside):.0f}) = {b / a * 100 - 100:+.0f}% (goal: within 20%)"
        )
        print(
            f"  huge HTTP runs meanwhile: {len(huge_runs)} ({', '.join(sorted({s for s, _ in huge_runs}))}), "
            f"median {statistics.median([t for _, t in huge_runs]) if huge_runs else float('nan'):.2f} s each"
        )
        time.sleep(2)
        flood_bytes = self.db.execute(
            "SELECT log_bytes FROM heartbeat_runs WHERE id = %s", (flood_run,)
        ).fetchone()
        print(f"  the flooder's run log: {flood_bytes[0] if flood_bytes else '?'} bytes")
        first = f"{hwm_first[0]:.0f} MB after the first, " if hwm_first else ""
        print(
            f"HEARTBEAT PROCESS peak RSS: {hwm_before:.0f} MB before the huge answers, {first}{hwm_after:.0f} MB after "
            f"{len(huge_runs)} (goal: flat)"
        )


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 10
    huge_mb = int(sys.argv[sys.argv.index("--huge-mb") + 1]) if "--huge-mb" in sys.argv else 300
    home, pg, url = bench_database("paperclip-iso-bench-")
    bench = Isolation(url, home)
    print(f"isolation bench: {os.cpu_count()} CPUs (shared), data in {home}")
    try:
        bench.start_server()
        bench.run(runs, huge_mb, sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None)
    finally:
        bench.stop_server()
        bench.db.close()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()

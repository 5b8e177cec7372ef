"""Start-up and idle-memory figures for `paperclipai run` (a script that prints numbers, not a test).

    .venv/bin/python bench/startup_bench.py [--warm-runs 3] [--idle-seconds 5]

Measures, on a throwaway PAPERCLIP_HOME with the embedded database:
  cold start  `paperclipai run` → first 200 from /api/health, including initdb and migrations
  warm start  the same on the existing instance (cluster initialised, schema current)
  idle memory RSS and PSS of the server's processes (not PostgreSQL) after it sat idle
  stop        SIGTERM → process exit (server and embedded PostgreSQL)
and the bare CLI import time, which every command pays. Warm starts also print their phases (from
the server's PAPERCLIP_STARTUP_TRACE marks, paperclip.server.trace): seconds since `run` was
launched, and the CPU seconds each process had used by then.

The server runs with bytecode caching on (PYTHONDONTWRITEBYTECODE removed from its environment),
as an installed package does: otherwise every start recompiles the whole source tree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_db import free_port
from server_memory import memory_kib, server_tree

CLI = [sys.executable, "-m", "paperclip"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server's processes, from /proc/<pid>/stat.

    Wall-clock start-up depends on what else the machine is doing; the CPU the server burnt until
    it answered does much less, so both are printed.
    """
    total = 0.0
    for member in server_tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as response:
            return response.status == 200 and json.load(response).get("status") == "ok"
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return False


class Instance:
    def __init__(self, root: Path):
        self.home = root / "home"
        self.port = free_port()
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PAPERCLIP_") and k not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE")
        }
        self.trace = root / "startup-trace.txt"
        self.env.update(
            {
                "PAPERCLIP_HOME": str(self.home),
                "PORT": str(self.port),
                "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(free_port()),
                "PAPERCLIP_TELEMETRY_DISABLED": "1",
            }
        )

    def onboard(self) -> None:
        subprocess.run(
            [*CLI, "onboard", "--mode", "local_trusted", "--bind", "loopback"],
            env=self.env,
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self, timeout: float = 120) -> tuple[subprocess.Popen, float, float]:
        self.trace.unlink(missing_ok=True)
        self.launched = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*CLI, "run"],
            env={**self.env, "PAPERCLIP_STARTUP_TRACE": str(self.trace)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not healthy(self.port):
            if proc.poll() is not None:
                raise RuntimeError(
                    f"`paperclipai run` exited with {proc.returncode} before /api/health answered"
                )
            if time.perf_counter() - started > timeout:
                proc.kill()
                raise RuntimeError("/api/health did not answer in time")
            time.sleep(0.02)
        return proc, time.perf_counter() - started, cpu_seconds(proc.pid)

    def phases(self) -> dict[str, tuple[float, float]]:
        """phase → (seconds since launch, CPU seconds of the process that marked it)."""
        marks: dict[str, tuple[float, float]] = {}
        if not self.trace.exists():  # a server without the marks (an older commit)
            return marks
        for line in self.trace.read_text().splitlines():
            wall, _pid, cpu, phase = line.split(" ", 3)
            marks.setdefault(phase, (float(wall) - self.launched, float(cpu)))
        return marks

    @staticmethod
    def stop(proc: subprocess.Popen) -> float:
        started = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        return time.perf_counter() - started


def cli_import_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([*CLI, "--version"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance")
    args = parser.parse_args()

    # Reachable by the unprivileged PostgreSQL user when run as root (no relocation in the figures).
    root = Path(tempfile.mkdtemp(prefix="paperclip-bench-"))
    os.chmod(root, 0o755)
    instance = Instance(root)
    try:
        instance.onboard()
        load_before = load_average()
        proc, cold, cold_cpu = instance.start()
        time.sleep(args.idle_seconds)
        cold_rss = memory_kib(proc.pid)
        cold_stop = instance.stop(proc)

        warm, warm_cpu, idle_rss, stops, phases = [], [], [], [], []
        for _ in range(args.warm_runs):
            proc, seconds, cpu = instance.start()
            phases.append({**instance.phases(), "healthy": (seconds, cpu)})
            warm.append(seconds)
            warm_cpu.append(cpu)
            time.sleep(args.idle_seconds)
            idle_rss.append(memory_kib(proc.pid))
            stops.append(instance.stop(proc))

        imports = [cli_import_seconds() for _ in range(3)]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    print(
        f"python              {sys.version.split()[0]} on {os.cpu_count()} CPUs, load average {load_before} → {load_average()}"
    )
    print(f"cli --version       {min(imports):.2f} s (best of 3)")
    print(
        f"cold start          {cold:.2f} s  (initdb + migrations, run → /api/health 200); server CPU {cold_cpu:.2f} s"
    )
    print(
        f"warm start          {statistics.median(warm):.2f} s median, {min(warm):.2f} s best of {len(warm)}; "
        f"server CPU {statistics.median(warm_cpu):.2f} s median"
    )
    print("warm start phases   (median of runs: seconds since launch, CPU seconds of the marking process)")
    for phase in sorted(phases[0], key=lambda name: phases[0][name][0]):
        at = statistics.median(run[phase][0] for run in phases if phase in run)
        cpu = statistics.median(run[phase][1] for run in phases if phase in run)
        label = "  (server CPU, all processes)" if phase == "healthy" else ""
        print(f"  {phase:<22}{at:6.2f} s   CPU {cpu:.2f} s{label}")
    rss, pss = max(r for r, _ in idle_rss), max(p for _, p in idle_rss)
    print(
        f"idle server memory  RSS {rss / 1024:.1f} MiB, PSS {pss / 1024:.1f} MiB warm (max of {len(idle_rss)}); "
        f"RSS {cold_rss[0] / 1024:.1f} MiB, PSS {cold_rss[1] / 1024:.1f} MiB after cold start  "
        f"({args.idle_seconds:.0f} s idle, all server processes summed, PostgreSQL excluded)"
    )
    print(f"stop (SIGTERM)      {statistics.median([cold_stop, *stops]):.2f} s median")


if __name__ == "__main__":
    main()

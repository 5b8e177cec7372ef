"""API workload benchmark (not a test): prints requests per second and p50/p95 latency per phase.

Workload (issue 3): one company, 8 agents; create 1000 issues at concurrency 16; get each; list the
company's issues 40 times; 8 agents racing to check out the same 200 issues; 500 comments; 40
dashboard reads.

    .venv/bin/python bench/api_bench.py                      # starts our server on a temp instance
                                                             # (and prints its memory idle and after)
    .venv/bin/python bench/api_bench.py --base-url http://127.0.0.1:3100   # any running server
                                                             # (e.g. the original, for comparison)
    .venv/bin/python bench/api_bench.py --auth --issues 2000  # actor resolution: local board vs session
                                                             # cookie vs board API key; sign-in p50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import free_port  # noqa: E402
from lean_http import LeanClient  # noqa: E402
from server_memory import describe  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Phase:
    def __init__(self, name: str):
        self.name = name
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.started = 0.0
        self.elapsed = 0.0

    def report(self) -> str:
        lat = sorted(self.latencies)
        n = len(lat)
        p50 = lat[n // 2] * 1000 if n else 0
        p95 = lat[min(n - 1, int(n * 0.95))] * 1000 if n else 0
        rps = n / self.elapsed if self.elapsed else 0
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(self.statuses.items()))
        return f"{self.name:<16} {n:>6} req  {rps:>8.1f} req/s  p50 {p50:>7.2f} ms  p95 {p95:>7.2f} ms  [{codes}]"


async def run_phase(name: str, jobs, concurrency: int) -> tuple[Phase, list]:
    phase = Phase(name)
    queue = list(enumerate(jobs))
    results: list = [None] * len(queue)

    async def worker():
        while queue:
            index, job = queue.pop()
            t0 = time.perf_counter()
            response = await job()
            phase.latencies.append(time.perf_counter() - t0)
            phase.statuses[response.status_code] = phase.statuses.get(response.status_code, 0) + 1
            results[index] = response

    phase.started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    phase.elapsed = time.perf_counter() - phase.started
    return phase, results


async def workload(base: str, issues: int, concurrency: int) -> list[Phase]:
    async with LeanClient(base, max_connections=64) as http:
        company = (await http.post("/api/companies", json={"name": f"Bench {time.time_ns()}"})).json()
        cid = company["id"]
        agents = []
        for i in range(8):
            r = await http.post(
                f"/api/companies/{cid}/agents",
                json={
                    "name": f"Agent {i}",
                    "role": "engineer",
                    "adapterType": "process",
                    "adapterConfig": {"command": "true"},
                    "runtimeConfig": {"heartbeat": {"enabled": False}},
                },
            )
            r.raise_for_status()
            agents.append(r.json()["id"])
        phases = []

        phase, created = await run_phase(
            "create issue",
            [
                (
                    lambda i=i: http.post(
                        f"/api/companies/{cid}/issues", json={"title": f"Issue {i}", "description": "bench"}
                    )
                )
                for i in range(issues)
            ],
            concurrency,
        )
        phases.append(phase)
        ids = [r.json()["id"] for r in created if r.status_code == 201]

        phase, _ = await run_phase(
            "get issue", [(lambda i=i: http.get(f"/api/issues/{i}")) for i in ids], concurrency
        )
        phases.append(phase)

        phase, _ = await run_phase(
            "list issues",
            [(lambda: http.get(f"/api/companies/{cid}/issues")) for _ in range(40)],
            concurrency,
        )
        phases.append(phase)

        race = ids[:200]
        for issue_id in race:  # make them claimable
            await http.patch(f"/api/issues/{issue_id}", json={"status": "todo"})
        jobs = [
            (
                lambda i=i, a=a: http.post(
                    f"/api/issues/{i}/checkout", json={"agentId": a, "expectedStatuses": ["todo"]}
                )
            )
            for i in race
            for a in agents
        ]
        phase, results = await run_phase("checkout race", jobs, concurrency)
        phases.append(phase)
        winners = sum(1 for r in results if r.status_code == 200)
        print(f"  checkout race: {winners} winners for {len(race)} issues (must be equal)")

        phase, _ = await run_phase(
            "comment",
            [
                (
                    lambda i=i: http.post(
                        f"/api/issues/{ids[i % len(ids)]}/comments", json={"body": f"comment {i}"}
                    )
                )
                for i in range(500)
            ],
            concurrency,
        )
        phases.append(phase)

        phase, _ = await run_phase(
            "dashboard",
            [(lambda: http.get(f"/api/companies/{cid}/dashboard")) for _ in range(40)],
            concurrency,
        )
        phases.append(phase)
        return phases


def start_server(
    home: Path,
    port: int,
    workers: int,
    extra_env: dict[str, str] | None = None,
    stdout_file: Path | None = None,
) -> subprocess.Popen:
    env = {
        **os.environ,
        "PAPERCLIP_HOME": str(home),
        "PORT": str(port),
        "HEARTBEAT_SCHEDULER_ENABLED": "false",
        "PAPERCLIP_WORKERS": str(workers),
        "PAPERCLIP_DB_BACKUP_ENABLED": "false",
        "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(free_port()),
        "PAPERCLIP_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    exe = str(ROOT / ".venv" / "bin" / "paperclipai")
    if not (home / "instances" / "default" / "config.json").exists():
        subprocess.run([exe, "onboard"], env=env, check=True, stdout=subprocess.DEVNULL)
    out = stdout_file.open("wb") if stdout_file else subprocess.DEVNULL
    proc = subprocess.Popen([exe, "run"], env=env, stdout=out, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited during start-up")
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("server did not become healthy in 90 s")


AUTH_ENV = {
    "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
    "BETTER_AUTH_SECRET": "bench-secret-0123456789abcdef0123",
}


async def _reads(
    base: str, name: str, paths: list[str], headers: dict[str, str] | None, concurrency: int
) -> Phase:
    async with LeanClient(base, max_connections=concurrency, headers=headers) as http:
        await run_phase("warm-up", [(lambda p=p: http.get(p)) for p in paths[:100]], concurrency)
        phase, _ = await run_phase(name, [(lambda p=p: http.get(p)) for p in paths], concurrency)
    return phase


def _p50(phase: Phase) -> float:
    return statistics.median(phase.latencies) * 1000


def auth_benchmark(requests: int, concurrency: int) -> None:
    """The cost of knowing who calls: the same read as the local board (local_trusted), then, on the
    same data after a restart in authenticated mode, with a session cookie and with a board API key;
    and the sign-in time (argon2id)."""
    home = Path(tempfile.mkdtemp(prefix="paperclip-bench-"))
    os.chmod(home, 0o755)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = None
    try:
        print(f"local_trusted server on {base} …")
        proc = start_server(home, port, 1)
        http = httpx.Client(base_url=base, timeout=30)
        cid = http.post("/api/companies", json={"name": "Auth bench"}).json()["id"]
        ids = [
            http.post(f"/api/companies/{cid}/issues", json={"title": f"Issue {i}"}).json()["id"]
            for i in range(50)
        ]
        paths = [f"/api/issues/{ids[i % len(ids)]}" for i in range(requests)]
        local = asyncio.run(_reads(base, "local_trusted", paths, None, concurrency))
        proc.terminate()
        proc.wait(timeout=30)
        print("restarting the same instance in authenticated mode …")
        log = home / "auth-run.out"
        proc = start_server(home, port, 1, AUTH_ENV, stdout_file=log)
        claim = next(
            line.split("Board claim URL: ", 1)[1].strip()
            for line in log.read_text().splitlines()
            if "Board claim URL: " in line
        )
        token, code = claim.split("/board-claim/", 1)[1].split("?code=")
        http = httpx.Client(base_url=base, timeout=30, headers={"origin": base})
        password = "bench-password-123"
        http.post(
            "/api/auth/sign-up/email",
            json={"email": "bench@example.com", "password": password, "name": "Bench"},
        )
        assert http.post(f"/api/board-claim/{token}/claim", json={"code": code}).json().get("claimed")
        sign_ins = []
        for _ in range(20):
            t0 = time.perf_counter()
            r = httpx.post(
                f"{base}/api/auth/sign-in/email", json={"email": "bench@example.com", "password": password}
            )
            sign_ins.append((time.perf_counter() - t0) * 1000)
            r.raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in r.cookies.items())
        board_key = http.post("/api/board-api-keys", json={"name": "bench"}).json()["token"]
        session = asyncio.run(_reads(base, "session cookie", paths, {"Cookie": cookie}, concurrency))
        keyed = asyncio.run(
            _reads(base, "board API key", paths, {"Authorization": f"Bearer {board_key}"}, concurrency)
        )
        for phase in (local, session, keyed):
            print(phase.report())
        print(
            f"actor resolution, p50 over local_trusted: session cookie {_p50(session) - _p50(local):+.2f} ms, "
            f"board API key {_p50(keyed) - _p50(local):+.2f} ms per request"
        )
        print(
            f"sign-in (argon2id verify + session row) p50 {statistics.median(sign_ins):.1f} ms, "
            f"min {min(sign_ins):.1f} ms over {len(sign_ins)}"
        )
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", help="benchmark a running server instead of starting ours")
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=1, help="PAPERCLIP_WORKERS for the server this script starts"
    )
    parser.add_argument(
        "--auth",
        action="store_true",
        help="instead of the workload: the same read as local board, session cookie and board API key, and sign-in time",
    )
    args = parser.parse_args()
    if args.auth:
        auth_benchmark(max(args.issues, 500), args.concurrency)
        return
    proc = home = None
    base = args.base_url
    if base is None:
        home = Path(tempfile.mkdtemp(prefix="paperclip-bench-"))
        os.chmod(home, 0o755)  # reachable by the embedded PostgreSQL's user when run as root: no relocation
        port = free_port()
        print(f"starting paperclip on 127.0.0.1:{port} with {args.workers} worker(s) (home {home}) …")
        proc = start_server(home, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        time.sleep(2)  # start-up work settles
        print(f"server memory idle            {describe(proc.pid)}")
    try:
        print(f"workload against {base}: {args.issues} issues, concurrency {args.concurrency}")
        phases = asyncio.run(workload(base, args.issues, args.concurrency))
        for phase in phases:
            print(phase.report())
        if proc is not None:
            print(f"server memory after workload  {describe(proc.pid)}")
        total = sum(len(p.latencies) for p in phases)
        print(
            f"total {total} requests in {sum(p.elapsed for p in phases):.1f} s; "
            f"overall median {statistics.median(x for p in phases for x in p.latencies) * 1000:.2f} ms"
        )
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)
    sys.exit(0)


if __name__ == "__main__":
    main()

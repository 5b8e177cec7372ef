"""Heartbeat workload figures (printed, not asserted).

    .venv/bin/python bench/heartbeat_bench.py            # starts its own embedded PostgreSQL
    DATABASE_URL=postgres://… .venv/bin/python bench/heartbeat_bench.py
    .venv/bin/python bench/heartbeat_bench.py --workers 2   # the server as 2 worker processes (PAPERCLIP_WORKERS)
    BENCH_ONLY=burst,health .venv/bin/python bench/heartbeat_bench.py   # some parts only
    BENCH_WATCH=1 ...   # a websocket client watches the runner part's company (the live feed's cost)

With N >= 2 workers the server is N HTTP workers plus one background process that runs the
heartbeats (as `paperclipai run` does); wake-ups reach it through NOTIFY.

1. scheduler tick over 1,000 agents with timers (all due, then none due);
2. wake-up request → agent process start latency (one at a time), p50/p95;
3. sustained runs/s: 20 agents x 5 on-demand wake-ups at once, `true` process adapter, with
   queue-to-start p50/p95 over that burst;
4. GET /api/health p99 while 200 runs are in flight;
   4b. the runner alone: runs/s and health p99 with runs queued straight into the database (no
   wake-up requests competing for the server), which separates the runner from the API's cost;
5. checkout race with assignment wakes: 40 issues assigned at once, every woken agent races to
   check out every issue; health p99 during it, and every run must end.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import bench_database, free_port  # noqa: E402
from lean_http import LeanClient  # noqa: E402  (the load generator shares the cores: httpx costs ~1 ms a request)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def serve() -> None:
    """The server as `paperclipai run` lays it out (PAPERCLIP_WORKERS, PAPERCLIP_HEARTBEAT_PROCESS)."""
    from paperclip.config import load_settings
    from paperclip.server.ports import bind_socket
    from paperclip.server.runtime import serve_on_socket

    settings = load_settings(dict(os.environ))
    port = int(os.environ["PORT"])
    raise SystemExit(
        serve_on_socket(settings, os.environ["DATABASE_URL"], port, bind_socket("127.0.0.1", port))
    )


class Bench:
    def __init__(self, url: str, home: Path, workers: int = 1):
        self.url = url
        self.workers = workers
        self.home = home
        self.db = psycopg.connect(url, autocommit=True)
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None

    # ---------------------------------------------------------------- setup helpers
    def company(self) -> uuid.UUID:
        cid = uuid.uuid4()
        self.db.execute(
            "INSERT INTO companies (id, name, issue_prefix) VALUES (%s, %s, %s)",
            (cid, f"Bench {cid.hex[:6]}", f"B{cid.hex[:6].upper()}"),
        )
        return cid

    def agents(
        self,
        company: uuid.UUID,
        n: int,
        config: dict,
        runtime: dict | None = None,
        last_heartbeat: datetime | None = None,
    ) -> list[uuid.UUID]:
        ids = [uuid.uuid4() for _ in range(n)]
        with self.db.cursor() as cur:
            cur.executemany(
                "INSERT INTO agents (id, company_id, name, adapter_type, adapter_config, runtime_config, last_heartbeat_at) "
                "VALUES (%s, %s, %s, 'process', %s, %s, %s)",
                [
                    (
                        a,
                        company,
                        f"Agent {i} {a.hex[:4]}",
                        json.dumps(config),
                        json.dumps(runtime or {}),
                        last_heartbeat,
                    )
                    for i, a in enumerate(ids)
                ],
            )
        return ids

    def start_server(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "PORT": str(self.port),
            "PAPERCLIP_HOME": str(self.home),
            "PAPERCLIP_DEPLOYMENT_MODE": "local_trusted",
            "HEARTBEAT_SCHEDULER_ENABLED": "true",
            "HEARTBEAT_SCHEDULER_INTERVAL_MS": "30000",
            "PAPERCLIP_DB_BACKUP_ENABLED": "false",
            "PAPERCLIP_AGENT_JWT_SECRET": "bench-secret-0123456789abcdef0123456789",
            "PAPERCLIP_API_URL": self.api,
            "PAPERCLIP_DB_POOL_MAX": "40",
            "PAPERCLIP_WORKERS": str(self.workers),
        }
        log = open(self.home / "server.log", "ab")  # noqa: SIM115
        self.server = subprocess.Popen([sys.executable, __file__, "--serve"], env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("server did not start; see " + str(self.home / "server.log"))

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(20)

    def wait_idle(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = self.db.execute(
                "SELECT count(*) FROM heartbeat_runs WHERE status IN ('queued','running')"
            ).fetchone()[0]
            if busy == 0:
                return
            time.sleep(0.02)
        raise SystemExit("runs did not finish in time")

    # ---------------------------------------------------------------- 1. tick
    def bench_tick(self) -> None:
        from paperclip.db.engine import make_async_engine, session_factory
        from paperclip.heartbeat.tick import scheduler_tick

        company = self.company()
        old = datetime.now(UTC) - timedelta(hours=1)
        self.agents(
            company, 1000, {"command": "true"}, {"heartbeat": {"enabled": True, "intervalSec": 300}}, old
        )

        async def go():
            engine = make_async_engine(self.url)
            runtime = SimpleNamespace(  # what a tick uses of the HeartbeatRuntime: no runner here
                sessions=session_factory(engine),
                replica_id=f"bench:{os.getpid()}:tick",
                runner=None,
                ticks=[],
                stale_after=timedelta(seconds=90),
            )
            async with (
                engine.connect() as conn
            ):  # a server ticks on a warm pool: connecting is not the tick's time
                await conn.exec_driver_sql("SELECT 1")
            timings = []
            for label in ("all 1,000 due (enqueue 1,000)", "none due (coalesce/steady)", "none due (again)"):
                started = time.perf_counter()
                result = await scheduler_tick(runtime, datetime.now(UTC))
                ms = (time.perf_counter() - started) * 1000
                timings.append(ms)
                print(f"  tick, {label}: {ms:.1f} ms  (timers: {result['timers']})")
            await engine.dispose()
            return timings

        timings = asyncio.run(go())
        print(f"TICK over 1,000 agents: worst {max(timings):.1f} ms (target < 200 ms)")
        self.db.execute("UPDATE heartbeat_runs SET status = 'cancelled' WHERE status = 'queued'")
        self.db.execute("UPDATE agents SET runtime_config = '{}' WHERE company_id = %s", (company,))

    # ---------------------------------------------------------------- 2. wake → process start
    def bench_latency(self, samples: int = 60) -> None:
        ledger = self.home / "latency.ledger"
        company = self.company()
        cfg = {"command": "/bin/sh", "args": ["-c", f'echo "$PAPERCLIP_RUN_ID $(date +%s.%N)" >> {ledger}']}
        agents = self.agents(company, samples, cfg)
        sent: dict[str, float] = {}
        with httpx.Client(base_url=self.api, timeout=30) as http:
            for agent in agents:
                t0 = time.time()
                run_id = http.post(f"/api/agents/{agent}/wakeup", json={}).json()["id"]
                sent[run_id] = t0
                self.wait_idle()
        lat = [
            (float(ts) - sent[rid]) * 1000
            for rid, ts in (line.split() for line in ledger.read_text().splitlines())
        ]
        print(
            f"WAKE → PROCESS START (one at a time, n={len(lat)}): p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms "
            "(target p50 < 50 ms)"
        )

    # ---------------------------------------------------------------- 3. sustained burst
    def bench_burst(self) -> None:
        ledger = self.home / "burst.ledger"
        company = self.company()
        cfg = {"command": "/bin/sh", "args": ["-c", f'echo "$PAPERCLIP_RUN_ID $(date +%s.%N)" >> {ledger}']}
        true_agents = self.agents(company, 20, {"command": "/bin/true"})
        probe_agents = self.agents(company, 20, cfg)

        async def fire(agents: list[uuid.UUID]) -> tuple[dict[str, float], float]:
            async with LeanClient(self.api, max_connections=100) as http:

                async def one(agent):
                    t0 = time.time()
                    res = await http.post(f"/api/agents/{agent}/wakeup", json={})
                    if res.status_code != 202:
                        print(f"  wake-up answered {res.status_code}: {res.text[:200]}")
                        return f"failed-{uuid.uuid4()}", t0
                    return res.json()["id"], t0

                started = time.perf_counter()
                pairs = await asyncio.gather(*[one(a) for a in agents for _ in range(5)])
                return dict(pairs), started, time.perf_counter() - started

        sent, started, answered = asyncio.run(fire(true_agents))
        self.wait_idle()
        elapsed = time.perf_counter() - started
        ok = self.db.execute(
            "SELECT count(*) FROM heartbeat_runs WHERE id = ANY(%s) AND status = 'succeeded'",
            ([uuid.UUID(r) for r in sent if not r.startswith("failed")],),
        ).fetchone()[0]
        print(
            f"BURST 20 agents x 5 wake-ups (`true`): {len(sent)} runs ({ok} succeeded) in {elapsed:.2f} s = "
            f"{len(sent) / elapsed:.1f} runs/s (target >= 90); the 100 wake-up requests alone were answered "
            f"in {answered:.2f} s"
        )
        sent, _, _ = asyncio.run(fire(probe_agents))
        self.wait_idle()
        lat = [
            (float(ts) - sent[rid]) * 1000
            for rid, ts in (line.split() for line in ledger.read_text().splitlines())
            if rid in sent
        ]
        print(
            f"  queue-to-start over the same burst shape (n={len(lat)}): p50 {pct(lat, 50):.1f} ms, "
            f"p95 {pct(lat, 95):.1f} ms (original: p50 4.7 s, p95 8.6 s)"
        )

    # ---------------------------------------------------------------- 4. health under load
    async def _health_probe(self, stop: asyncio.Event) -> list[float]:
        """Sequential GET /api/health; a failed answer counts as a 30 s sample (so it shows in p99)."""
        samples = []
        async with LeanClient(self.api, max_connections=1) as http:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    res = await asyncio.wait_for(http.get("/api/health"), 30)
                    ok = res.status_code == 200
                except (OSError, asyncio.IncompleteReadError, TimeoutError):
                    ok = False
                samples.append((time.perf_counter() - t0) * 1000 if ok else 30_000.0)
                await asyncio.sleep(0.005)
        return samples

    def bench_health(self) -> None:
        company = self.company()
        agents = self.agents(company, 200, {"command": "/bin/sleep", "args": ["4"]})

        async def go():
            stop = asyncio.Event()
            probe = asyncio.create_task(self._health_probe(stop))
            async with LeanClient(self.api, max_connections=50) as http:
                answers = await asyncio.gather(
                    *[http.post(f"/api/agents/{a}/wakeup", json={}) for a in agents], return_exceptions=True
                )
            failed = [a for a in answers if isinstance(a, Exception) or a.status_code != 202]
            if failed:  # reported, not fatal: the probe's figures still mean something
                print(f"  {len(failed)} of {len(agents)} wake-ups failed: {failed[0]!r}")
            peak = 0
            for _ in range(400):
                running = self.db.execute(
                    "SELECT count(*) FROM heartbeat_runs WHERE status = 'running'"
                ).fetchone()[0]
                peak = max(peak, running)
                busy = self.db.execute(
                    "SELECT count(*) FROM heartbeat_runs WHERE status IN ('queued','running')"
                ).fetchone()[0]
                if busy == 0:
                    break
                await asyncio.sleep(0.05)
            stop.set()
            return await probe, peak

        samples, peak = asyncio.run(go())
        print(
            f"HEALTH while 200 runs in flight (peak {peak} running): n={len(samples)} p50 {pct(samples, 50):.1f} ms, "
            f"p99 {pct(samples, 99):.1f} ms, max {max(samples):.1f} ms (target p99 < 100 ms)"
        )

    # ---------------------------------------------------------------- 4b. the runner alone
    def _queue_directly(self, agents: list[uuid.UUID], company: uuid.UUID, per_agent: int) -> int:
        """Queued wake-up requests and runs written straight into the database (no HTTP), then one NOTIFY."""
        rows = [(uuid.uuid4(), uuid.uuid4(), a) for a in agents for _ in range(per_agent)]
        with self.db.cursor() as cur:
            cur.executemany(
                "INSERT INTO agent_wakeup_requests (id, company_id, agent_id, source, status, run_id) "
                "VALUES (%s, %s, %s, 'on_demand', 'queued', %s)",
                [(r, company, a, run) for r, run, a in rows],
            )
            cur.executemany(
                "INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, status, "
                "wakeup_request_id, context_snapshot) VALUES (%s, %s, %s, 'on_demand', 'queued', %s, '{}')",
                [(run, company, a, r) for r, run, a in rows],
            )
        return len(rows)

    def _watch(self, company: uuid.UUID) -> tuple:
        """BENCH_WATCH=1: a client on the company's websocket reading everything (as the original's web
        app would) while the runner works, so its cost to the runner shows in the figures."""
        from websockets.sync.client import connect

        stop, count, kinds = threading.Event(), [0], collections.Counter()
        url = self.api.replace("http://", "ws://") + f"/api/companies/{company}/events/ws"
        ready = threading.Event()

        def run():
            from websockets.exceptions import ConnectionClosed

            with connect(url, max_size=None) as ws:
                ready.set()
                while not stop.is_set():
                    try:
                        kinds[json.loads(ws.recv(timeout=0.2))["type"]] += 1
                        count[0] += 1
                    except TimeoutError:
                        continue
                    except ConnectionClosed as exc:  # the server closes a reader that fell too far behind
                        print(f"  the websocket was closed by the server after {count[0]} messages: {exc}")
                        return

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        ready.wait(10)
        return stop, count, thread, kinds

    def bench_runner(self) -> None:
        """What the runner does with no API requests in the same process: runs/s for 500 `true` runs
        queued at once (50 agents x 10), and health p99 while 200 `sleep 4` runs start and end. With
        BENCH_WATCH the runs print two lines each (output for the watcher to stream)."""
        company = self.company()
        watch = self._watch(company) if os.environ.get("BENCH_WATCH") else None
        cfg = {"command": "/bin/true"}
        if watch is not None:
            cfg = {"command": "/bin/sh", "args": ["-c", "echo out; echo err 1>&2"]}
        n = self._queue_directly(self.agents(company, 50, cfg), company, 10)
        started = time.perf_counter()
        self.db.execute("SELECT pg_notify('paperclip_wakeup', 'bench')")
        self.wait_idle()
        elapsed = time.perf_counter() - started
        if watch is not None:
            time.sleep(1)
            watch[0].set()
            watch[2].join(5)
            print(f"  a websocket client watched the company: {watch[1][0]} messages {dict(watch[3])}")
        sleepers = self.agents(company, 200, {"command": "/bin/sleep", "args": ["4"]})

        async def go():
            stop = asyncio.Event()
            probe = asyncio.create_task(self._health_probe(stop))
            await asyncio.sleep(0.2)
            self._queue_directly(sleepers, company, 1)
            self.db.execute("SELECT pg_notify('paperclip_wakeup', 'bench')")
            while self.db.execute(
                "SELECT count(*) FROM heartbeat_runs WHERE status IN ('queued','running')"
            ).fetchone()[0]:
                await asyncio.sleep(0.05)
            stop.set()
            return await probe

        samples = asyncio.run(go())
        print(
            f"RUNNER ALONE (runs queued in the database, no wake-up requests): {n} {cfg['command']} runs in {elapsed:.2f} s = "
            f"{n / elapsed:.1f} runs/s; health while 200 runs start and end: p99 {pct(samples, 99):.1f} ms, "
            f"max {max(samples):.1f} ms"
        )

    # ---------------------------------------------------------------- 5. checkout race
    def bench_checkout_race(self, n_agents: int = 40) -> None:
        company = self.company()
        script = self.home / "racer.sh"
        script.write_text(
            "#!/bin/sh\n"
            'for id in $(cat "$ISSUES_FILE"); do\n'
            '  curl -s -o /dev/null -X POST "$PAPERCLIP_API_URL/api/issues/$id/checkout" '
            '-H "Authorization: Bearer $PAPERCLIP_API_KEY" -H "X-Paperclip-Run-Id: $PAPERCLIP_RUN_ID" '
            "-H 'content-type: application/json' "
            '-d "{\\"agentId\\":\\"$PAPERCLIP_AGENT_ID\\",\\"expectedStatuses\\":[\\"todo\\",\\"backlog\\"]}" &\n'
            "done\nwait\n"
        )
        script.chmod(0o755)
        issues_file = self.home / "race-issues"
        issues_file.write_text("")
        agents = self.agents(
            company,
            n_agents,
            {"command": str(script), "env": {"ISSUES_FILE": str(issues_file)}, "timeoutSec": 60},
        )

        async def go():
            stop = asyncio.Event()
            probe = asyncio.create_task(self._health_probe(stop))
            async with LeanClient(self.api, max_connections=40) as http:
                # the issues exist first (unassigned), so every racer sees all of them
                created = await asyncio.gather(
                    *[
                        http.post(
                            f"/api/companies/{company}/issues", json={"title": f"Race {i}", "status": "todo"}
                        )
                        for i in range(n_agents)
                    ]
                )
                ids = [c.json()["id"] for c in created]
                issues_file.write_text("\n".join(ids) + "\n")
                started = time.perf_counter()
                await asyncio.gather(
                    *[
                        http.patch(f"/api/issues/{i}", json={"assigneeAgentId": str(a)})
                        for i, a in zip(ids, agents, strict=True)
                    ]
                )
            while self.db.execute(
                "SELECT count(*) FROM heartbeat_runs WHERE agent_id = ANY(%s) AND status IN "
                "('queued','running')",
                (agents,),
            ).fetchone()[0]:
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            stop.set()
            return await probe, elapsed

        samples, elapsed = asyncio.run(go())
        runs = self.db.execute(
            "SELECT status, count(*) FROM heartbeat_runs WHERE agent_id = ANY(%s) GROUP BY status", (agents,)
        ).fetchall()
        held = self.db.execute(
            "SELECT count(*) FROM issues WHERE company_id = %s AND status = 'in_progress'", (company,)
        ).fetchone()[0]
        print(
            f"CHECKOUT RACE ({n_agents} assignment wakes, {n_agents}x{n_agents} racing checkouts): all runs ended in "
            f"{elapsed:.2f} s {dict(runs)}; {held} issues checked out; health n={len(samples)} "
            f"p99 {pct(samples, 99):.1f} ms, max {max(samples):.1f} ms"
        )


def main() -> None:
    if "--serve" in sys.argv:
        serve()
        return
    home, pg, url = bench_database("paperclip-hb-bench-")
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 1
    bench = Bench(url, home, workers)
    print(f"heartbeat bench: {os.cpu_count()} CPUs, {workers} server worker(s), data in {home}")
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
    try:
        if not only or "tick" in only:
            bench.bench_tick()
        bench.start_server()
        for name in ("latency", "burst", "health", "runner", "checkout_race"):
            if not only or name in only:
                getattr(bench, f"bench_{name}")()
    finally:
        bench.stop_server()
        bench.db.close()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()

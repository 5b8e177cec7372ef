"""Routine workload figures (printed, not asserted).

    .venv/bin/python bench/routines_bench.py             # starts its own embedded PostgreSQL
    DATABASE_URL=postgres://… .venv/bin/python bench/routines_bench.py
    BENCH_ONLY=tick .venv/bin/python bench/routines_bench.py

1. the routine tick (routines/scheduler.py, in this process on a warm pool) over 10,000 routines with
   one schedule trigger each, 1,000 of them due: time, and a check that each due trigger fired exactly
   once (1,000 runs, 1,000 issues; a second tick at the same `now` fires nothing); then a steady tick;
2. webhook fire requests per second against a real server (`paperclipai run` layout, local_trusted):
   a coalescing routine (after the first, each fire is a `coalesced` run: the signature check, the
   routine lock, the run row and the activity entry) and an always_enqueue routine (each fire makes
   an issue and wakes its agent), bearer-signed, 16 connections.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import bench_database  # noqa: E402
from heartbeat_bench import free_port, pct  # noqa: E402
from lean_http import LeanClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def serve() -> None:
    from paperclip.config import load_settings
    from paperclip.server.ports import bind_socket
    from paperclip.server.runtime import serve_on_socket

    settings = load_settings(dict(os.environ))
    port = int(os.environ["PORT"])
    raise SystemExit(
        serve_on_socket(settings, os.environ["DATABASE_URL"], port, bind_socket("127.0.0.1", port))
    )


def seed(db: psycopg.Connection, routines: int, due: int, now: datetime) -> uuid.UUID:
    """One company, 50 agents, `routines` routines with one every-minute schedule trigger each;
    `due` of them due at `now`, the others an hour later."""
    company = uuid.uuid4()
    db.execute(
        "INSERT INTO companies (id, name, issue_prefix) VALUES (%s, 'Routine bench', 'RTB')", (company,)
    )
    agents = [uuid.uuid4() for _ in range(50)]
    with db.cursor() as cur:
        cur.executemany(
            "INSERT INTO agents (id, company_id, name, adapter_type, adapter_config, runtime_config) "
            'VALUES (%s, %s, %s, \'process\', \'{"command": "true"}\', \'{"heartbeat": {"enabled": false}}\')',
            [(a, company, f"Agent {i}") for i, a in enumerate(agents)],
        )
        ids = [uuid.uuid4() for _ in range(routines)]
        cur.executemany(
            "INSERT INTO routines (id, company_id, title, assignee_agent_id) VALUES (%s, %s, %s, %s)",
            [(r, company, f"Routine {i}", agents[i % len(agents)]) for i, r in enumerate(ids)],
        )
        cur.executemany(
            "INSERT INTO routine_triggers (company_id, routine_id, kind, cron_expression, timezone, next_run_at) "
            "VALUES (%s, %s, 'schedule', '* * * * *', 'UTC', %s)",
            [(company, r, now if i < due else now + timedelta(hours=1)) for i, r in enumerate(ids)],
        )
    db.execute("ANALYZE")
    return company


def bench_tick(url: str) -> None:
    from paperclip.db.engine import make_async_engine, session_factory, unit_of_work
    from paperclip.routines.scheduler import tick_routines

    db = psycopg.connect(url, autocommit=True)
    now = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    started = time.perf_counter()
    seed(db, 10_000, 1_000, now)
    print(f"  seeded 10,000 routines (1,000 due) in {time.perf_counter() - started:.1f} s")

    async def go():
        engine = make_async_engine(url)
        sessions = session_factory(engine)
        async with engine.connect() as conn:  # a server ticks on a warm pool
            await conn.exec_driver_sql("SELECT 1")
        out = []
        for label, at in (
            ("1,000 due", now),
            ("same now again", now),
            ("steady, none due", now + timedelta(seconds=30)),
        ):
            t0 = time.perf_counter()
            async with unit_of_work(sessions) as session:
                result = await tick_routines(session, at)
            out.append((label, (time.perf_counter() - t0) * 1000, result))
        await engine.dispose()
        return out

    for label, ms, result in asyncio.run(go()):
        print(
            f"  tick, {label}: {ms:,.0f} ms  (runs {result['runs']}, issues {result['issue_created']}, "
            f"failed {result['failed']})"
        )
    runs, per_trigger, issues = db.execute(
        "SELECT count(*), count(DISTINCT trigger_id), (SELECT count(*) FROM issues WHERE origin_kind = 'routine_execution') "
        "FROM routine_runs"
    ).fetchone()
    print(
        f"TICK 10,000 routines / 1,000 due: {runs} runs for {per_trigger} triggers, {issues} issues "
        f"({'each fired exactly once' if runs == per_trigger == issues == 1000 else 'MISMATCH'})"
    )
    db.close()


def bench_webhooks(url: str, home: Path, seconds: float = 8.0) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORT": str(port),
        "PAPERCLIP_HOME": str(home),
        "PAPERCLIP_DEPLOYMENT_MODE": "local_trusted",
        "HEARTBEAT_SCHEDULER_ENABLED": "false",
        "PAPERCLIP_DB_BACKUP_ENABLED": "false",
        "PAPERCLIP_AGENT_JWT_SECRET": "bench-secret-0123456789abcdef0123456789",
        "PAPERCLIP_API_URL": api,
    }
    log = open(home / "server.log", "ab")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, __file__, "--serve"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{api}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start; see " + str(home / "server.log")) from None
                time.sleep(0.1)
        with httpx.Client(base_url=api, timeout=30) as http:
            cid = http.post("/api/companies", json={"name": "Hooks bench"}).json()["id"]
            agent = http.post(
                f"/api/companies/{cid}/agents",
                json={
                    "name": "Hooked",
                    "adapterType": "process",
                    "adapterConfig": {"command": "true"},
                    "runtimeConfig": {"heartbeat": {"enabled": False}},
                },
            ).json()["id"]
            http.post(f"/api/agents/{agent}/pause", json={})  # wakes are refused: no agent processes compete

            def hook(policy: str) -> tuple[str, str]:
                routine = http.post(
                    f"/api/companies/{cid}/routines",
                    json={"title": f"Hook {policy}", "assigneeAgentId": agent, "concurrencyPolicy": policy},
                ).json()
                made = http.post(
                    f"/api/routines/{routine['id']}/triggers",
                    json={"kind": "webhook", "signingMode": "bearer"},
                ).json()
                return made["trigger"]["publicId"], made["secretMaterial"]["webhookSecret"]

            variants = {
                # one routine: its firings are serialised on the routine's row lock (the policies need that)
                "one routine, coalesce_if_active": [hook("coalesce_if_active")] * 16,
                "one routine, always_enqueue": [hook("always_enqueue")] * 16,
                # 16 routines, one per connection: firings of different routines run in parallel
                "16 routines, coalesce_if_active": [hook("coalesce_if_active") for _ in range(16)],
            }

        async def load(hooks: list[tuple[str, str]]) -> tuple[int, float, list[float], dict[int, int]]:
            statuses: dict[int, int] = {}
            latencies: list[float] = []
            stop = time.perf_counter() + seconds

            async def worker(public_id: str, secret: str):
                path = f"/api/routine-triggers/public/{public_id}/fire"
                async with LeanClient(
                    api, max_connections=1, headers={"Authorization": f"Bearer {secret}"}
                ) as client:
                    while time.perf_counter() < stop:
                        t0 = time.perf_counter()
                        r = await client.post(path, json={"ref": "refs/heads/main"})
                        latencies.append((time.perf_counter() - t0) * 1000)
                        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

            t0 = time.perf_counter()
            await asyncio.gather(*[worker(p, s) for p, s in hooks])
            return len(latencies), time.perf_counter() - t0, latencies, statuses

        for label, hooks in variants.items():
            n, elapsed, latencies, statuses = asyncio.run(load(hooks))
            print(
                f"WEBHOOK fire, {label}: {n / elapsed:,.0f} req/s over {elapsed:.1f} s (16 connections), "
                f"p50 {pct(latencies, 50):.1f} ms, p95 {pct(latencies, 95):.1f} ms, statuses {statuses}"
            )
    finally:
        server.terminate()
        server.wait(20)


def main() -> None:
    if "--serve" in sys.argv:
        serve()
        return
    home, pg, url = bench_database("paperclip-routines-bench-")
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
    print(f"routines bench: {os.cpu_count()} CPUs, data in {home}")
    try:
        if not only or "tick" in only:
            bench_tick(url)
        if not only or "webhook" in only:
            bench_webhooks(url, home)
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()

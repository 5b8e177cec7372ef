"""Board UI benchmark (not a test): server render time of the heavy pages, and bytes per page.

Starts our server on a temporary instance (embedded PostgreSQL), seeds one company with 50 agents,
10,000 issues (one SQL statement) and 100,000 activity rows (one SQL statement), then requests each page
`--rounds` times and prints p50/p95 of the time to the full response, the HTML size (raw and gzip),
and the first-load size of the dashboard (HTML + CSS + JS, gzip). Also: the time from a run log line
being written to it arriving on an open /<PREFIX>/events stream (p50).

    .venv/bin/python bench/ui_bench.py [--issues 10000] [--activity 100000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_bench import free_port  # noqa: E402

PAGES = ["dashboard", "issues", "board", "issue"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


async def seed(http: httpx.AsyncClient, db_url: str, issues: int, agents: int) -> tuple[dict, list[str]]:
    """The company and its agents through the API (50 requests); the issues in one SQL statement (10,000
    API requests took minutes on the shared cores and timed out)."""
    company = (
        await http.post("/api/companies", json={"name": "Bench Robotics", "budgetMonthlyCents": 500000})
    ).json()
    cid = company["id"]
    agent_ids = []
    for n in range(agents):
        r = await http.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": f"Agent {n:02d}",
                "role": "engineer",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
            },
        )
        agent_ids.append(r.json()["id"])
    prefix = company["issuePrefix"]
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO issues (id, company_id, title, description, status, priority, assignee_agent_id,
                                assignee_user_id, issue_number, identifier, created_at, updated_at)
            SELECT gen_random_uuid(), %(cid)s, 'Issue number ' || g || ' about the vacuum''s firmware',
                   'Details of issue ' || g || E'.\n\n- point one\n- point two\n\n```\ncode ' || g || E'\n```',
                   (ARRAY['backlog','todo','in_review','blocked','done','cancelled'])[1 + g %% 6],
                   (ARRAY['critical','high','medium','low'])[1 + g %% 4],
                   CASE WHEN g %% 3 = 0 THEN NULL ELSE (%(agents)s::uuid[])[1 + g %% %(n_agents)s] END,
                   CASE WHEN g %% 3 = 0 THEN 'local-board' END,
                   g, %(prefix)s || '-' || g, now() - make_interval(mins => %(n)s - g), now() - make_interval(mins => %(n)s - g)
            FROM generate_series(1, %(n)s) g""",
            {"cid": cid, "agents": agent_ids, "n_agents": len(agent_ids), "prefix": prefix, "n": issues},
        )
        conn.execute("UPDATE companies SET issue_counter = %s WHERE id = %s", (issues, cid))
        conn.execute("ANALYZE issues")
    return company, [f"{prefix}-{n}" for n in range(1, issues + 1)]


def seed_activity(db_url: str, company_id: str, rows: int) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO activity_log (id, company_id, actor_type, actor_id, action, entity_type, entity_id,
                                                  details, created_at)
            SELECT gen_random_uuid(), %s, 'user', 'local-board', 'issue.updated', 'issue', gen_random_uuid()::text,
                   '{"status": "todo"}'::jsonb, now() - make_interval(secs => g)
            FROM generate_series(1, %s) g""",
            (company_id, rows),
        )


async def time_pages(http: httpx.AsyncClient, prefix: str, ident: str, rounds: int) -> dict[str, dict]:
    urls = {
        "dashboard": f"/{prefix}/dashboard",
        "issues": f"/{prefix}/issues",
        "board": f"/{prefix}/board",
        "issue": f"/{prefix}/issues/{ident}",
    }
    out = {}
    for name, url in urls.items():
        times, body = [], b""
        for _ in range(rounds):
            start = time.perf_counter()
            r = await http.get(url)
            times.append(time.perf_counter() - start)
            assert r.status_code == 200, (url, r.status_code)
            body = r.content
        out[name] = {
            "p50": pct(times, 0.5),
            "p95": pct(times, 0.95),
            "html": len(body),
            "gz": len(gzip.compress(body)),
        }
    return out


async def first_load(http: httpx.AsyncClient, prefix: str) -> dict[str, int]:
    html = (await http.get(f"/{prefix}/dashboard")).content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=[0-9a-f]+)"', html)
    sizes = {"html": len(gzip.compress(html)), "css": 0, "js": 0, "js_raw": 0}
    for a in assets:
        body = (await http.get(a.decode())).content
        kind = "css" if b".css" in a else "js"
        sizes[kind] += len(gzip.compress(body))
        if kind == "js":
            sizes["js_raw"] += len(body)
    return sizes


async def log_latency(http: httpx.AsyncClient, base: str, company: dict, samples: int) -> float | None:
    """A process agent prints a timestamped line every 200 ms; an open events stream receives them."""
    script = (
        "import time\nfor i in range(" + str(samples) + "):\n"
        "    print('t=%.6f' % time.time(), flush=True)\n    time.sleep(0.2)\n"
    )
    agent = (
        await http.post(
            f"/api/companies/{company['id']}/agents",
            json={
                "name": "Latency probe",
                "adapterType": "process",
                "adapterConfig": {"command": sys.executable, "args": ["-c", script]},
            },
        )
    ).json()
    run = (await http.post(f"/api/agents/{agent['id']}/wakeup", json={})).json()
    delays = []
    async with (
        httpx.AsyncClient(base_url=base, timeout=60) as stream_client,
        stream_client.stream("GET", f"/{company['issuePrefix']}/events?runs={run['id']}") as stream,
    ):
        async for line in stream.aiter_lines():
            if line.startswith("data: ") and '"chunk"' in line:
                data = json.loads(line[6:])
                m = re.search(r"t=([0-9.]+)", data["chunk"])
                if m and data.get("seq", 0) > 1:
                    delays.append(time.time() - float(m.group(1)))
                if len(delays) >= samples - 3:
                    break
    return statistics.median(delays) * 1000 if delays else None


# The bench seeds through SQL, so it names the embedded database's password itself (a server start
# otherwise generates one per instance).
PG_PASSWORD = "ui-bench-" + os.urandom(6).hex()


def start_server(home: Path, port: int, pg_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PAPERCLIP_HOME": str(home),
        "PORT": str(port),
        "HEARTBEAT_SCHEDULER_ENABLED": "false",
        "PAPERCLIP_DB_BACKUP_ENABLED": "false",
        "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(pg_port),
        "PAPERCLIP_LOG_LEVEL": "warning",
        "PAPERCLIP_EMBEDDED_POSTGRES_PASSWORD": PG_PASSWORD,
    }
    exe = str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "paperclipai")
    # not --yes: that also starts the server (and never returns)
    subprocess.run(
        [exe, "onboard", "--mode", "local_trusted", "--bind", "loopback"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    proc = subprocess.Popen([exe, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


async def main_async(args) -> None:
    home = Path(tempfile.mkdtemp(prefix="paperclip-uibench-"))
    os.chmod(home, 0o755)
    port, pg_port = free_port(), free_port()
    print(f"starting paperclip on 127.0.0.1:{port} (home {home}) …")
    proc = start_server(home, port, pg_port)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            t = time.perf_counter()
            db_url = f"postgresql://paperclip:{PG_PASSWORD}@127.0.0.1:{pg_port}/paperclip"
            company, idents = await seed(http, db_url, args.issues, args.agents)
            print(f"seeded {args.agents} agents and {args.issues} issues in {time.perf_counter() - t:.1f} s")
            seed_activity(db_url, company["id"], args.activity)
            print(f"seeded {args.activity} activity rows")
            prefix = company["issuePrefix"]
            await time_pages(http, prefix, idents[0], 3)  # warm-up
            results = await time_pages(http, prefix, idents[len(idents) // 2], args.rounds)
            print(f"\n{'page':<10} {'p50 ms':>8} {'p95 ms':>8} {'HTML KB':>8} {'gzip KB':>8}")
            for name, r in results.items():
                print(
                    f"{name:<10} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['html'] / 1024:>8.1f} {r['gz'] / 1024:>8.1f}"
                )
            sizes = await first_load(http, prefix)
            total = sizes["html"] + sizes["css"] + sizes["js"]
            print(
                f"\nfirst dashboard load (gzip): HTML {sizes['html'] / 1024:.1f} KB, CSS {sizes['css'] / 1024:.1f} KB, "
                f"JS {sizes['js'] / 1024:.1f} KB (raw {sizes['js_raw'] / 1024:.1f} KB); total {total / 1024:.1f} KB"
            )
            latency = await log_latency(http, base, company, args.log_samples)
            print(
                f"run log line -> open event stream: p50 {latency:.0f} ms"
                if latency is not None
                else "run log latency: no sample"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--issues", type=int, default=10000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--activity", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--log-samples", type=int, default=20)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()

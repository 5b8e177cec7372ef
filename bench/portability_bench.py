"""Company export/import figures (printed, not asserted).

    .venv/bin/python bench/portability_bench.py            # starts its own embedded PostgreSQL
    DATABASE_URL=postgres://… .venv/bin/python bench/portability_bench.py
    BENCH_AGENTS=50 BENCH_ISSUES=5000 BENCH_ROUNDS=3 .venv/bin/python bench/portability_bench.py

A company with 50 agents (one a manager of the rest), 5 projects and 5,000 issues (a tenth of them
children of another) is seeded straight into the database with SQL; then, against a real server process
on 127.0.0.1: POST /api/companies/{id}/exports (all of company, agents, projects, issues), the import
preview, and POST /api/companies/import into a new company, each timed end to end (request, JSON,
response). The exported package is checked to import back with the same counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from bench_db import bench_database, free_port  # noqa: E402


def serve() -> None:
    from paperclip.config import load_settings
    from paperclip.server.ports import bind_socket
    from paperclip.server.runtime import serve_on_socket

    settings = load_settings(dict(os.environ))
    port = int(os.environ["PORT"])
    raise SystemExit(
        serve_on_socket(settings, os.environ["DATABASE_URL"], port, bind_socket("127.0.0.1", port))
    )


def seed(db: psycopg.Connection, agents: int, issues: int) -> str:
    cid = str(uuid.uuid4())
    db.execute(
        "INSERT INTO companies (id, name, description, issue_prefix, issue_counter) "
        "VALUES (%s, 'Bench Co', 'A big company', 'BEN', %s)",
        (cid, issues),
    )
    boss = str(uuid.uuid4())
    db.execute(
        "INSERT INTO agents (id, company_id, name, role, adapter_type, adapter_config, runtime_config, "
        "permissions) VALUES (%s, %s, 'Boss', 'ceo', 'process', "
        '\'{"command": "/usr/bin/true", "promptTemplate": "Lead the company."}\', '
        '\'{"heartbeat": {"enabled": true, "intervalSec": 600}}\', \'{}\')',
        (boss, cid),
    )
    db.execute(
        "INSERT INTO agents (id, company_id, name, role, title, reports_to, adapter_type, adapter_config, "
        "runtime_config, permissions) SELECT gen_random_uuid(), %s, 'Agent ' || n, 'engineer', "
        "'Engineer ' || n, %s, 'process', jsonb_build_object('command', '/usr/bin/true', 'args', "
        "jsonb_build_array('-c', n::text)), '{}', '{}' FROM generate_series(2, %s) n",
        (cid, boss, agents),
    )
    db.execute(
        "INSERT INTO projects (id, company_id, name, url_key, status, description) SELECT gen_random_uuid(), "
        "%s, 'Project ' || n, 'project-' || n, 'in_progress', 'Project number ' || n "
        "FROM generate_series(1, 5) n",
        (cid,),
    )
    db.execute(
        """
        INSERT INTO issues (id, company_id, project_id, title, description, status, priority, assignee_agent_id,
                            issue_number, identifier, created_at, updated_at)
        SELECT gen_random_uuid(), %(c)s,
               (SELECT id FROM projects WHERE company_id = %(c)s ORDER BY url_key OFFSET n %% 5 LIMIT 1),
               'Issue number ' || n, repeat('Some words about this issue. ', 12) || n,
               (ARRAY['backlog','todo','in_progress','done'])[1 + n %% 4], (ARRAY['low','medium','high'])[1 + n %% 3],
               (SELECT id FROM agents WHERE company_id = %(c)s ORDER BY name OFFSET n %% %(a)s LIMIT 1),
               n, 'BEN-' || n, now() - make_interval(mins => %(i)s - n), now()
        FROM generate_series(1, %(i)s) n""",
        {"c": cid, "a": agents, "i": issues},
    )
    db.execute(
        """UPDATE issues child SET parent_id = parent.id FROM issues parent
                  WHERE child.company_id = %(c)s AND parent.company_id = %(c)s AND child.issue_number %% 10 = 0
                    AND parent.issue_number = child.issue_number - 1""",
        {"c": cid},
    )
    return cid


def main() -> None:
    if "--serve" in sys.argv:
        serve()
        return
    n_agents = int(os.environ.get("BENCH_AGENTS", "50"))
    n_issues = int(os.environ.get("BENCH_ISSUES", "5000"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    home, pg, url = bench_database("paperclip-porto-bench-")
    db = psycopg.connect(url, autocommit=True)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORT": str(port),
        "PAPERCLIP_HOME": str(home),
        "PAPERCLIP_DEPLOYMENT_MODE": "local_trusted",
        "HEARTBEAT_SCHEDULER_ENABLED": "false",
        "PAPERCLIP_LOG_LEVEL": "warning",
    }
    log = open(home / "server.log", "w")  # noqa: SIM115 (closed with the server)
    server = subprocess.Popen([sys.executable, __file__, "--serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        cid = seed(db, n_agents, n_issues)
        print(
            f"portability bench: {os.cpu_count()} CPUs; seeded {n_agents} agents, 5 projects, {n_issues} issues "
            f"by SQL in {time.perf_counter() - started:.2f} s"
        )
        with httpx.Client(base_url=base, timeout=600) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"server did not start; see {home / 'server.log'}")
                time.sleep(0.2)
            include = {"company": True, "agents": True, "projects": True, "issues": True}
            export_times, files = [], {}
            for _ in range(rounds):
                t0 = time.perf_counter()
                r = http.post(f"/api/companies/{cid}/exports", json={"include": include})
                export_times.append(time.perf_counter() - t0)
                r.raise_for_status()
                files = r.json()["files"]
            size = len(json.dumps(files).encode())
            print(
                f"export: {len(files)} files, {size / 1e6:.1f} MB as JSON; "
                f"best {min(export_times):.2f} s, median {sorted(export_times)[len(export_times) // 2]:.2f} s "
                f"over {rounds}"
            )
            body = {"source": {"type": "inline", "files": files}, "target": {"mode": "new_company"}}
            t0 = time.perf_counter()
            r = http.post("/api/companies/import/preview", json=body)
            preview_time = time.perf_counter() - t0
            r.raise_for_status()
            print(f"import preview (dry run): {preview_time:.2f} s")
            import_times = []
            for n in range(rounds):
                body["target"] = {"mode": "new_company", "newCompanyName": f"Bench Copy {n}"}
                t0 = time.perf_counter()
                r = http.post("/api/companies/import", json=body)
                import_times.append(time.perf_counter() - t0)
                r.raise_for_status()
                result = r.json()
                assert len(result["agents"]) == n_agents and len(result["issues"]) == n_issues, result.keys()
            print(
                f"import (new company, one transaction): best {min(import_times):.2f} s, median "
                f"{sorted(import_times)[len(import_times) // 2]:.2f} s over {rounds} "
                f"({n_issues / min(import_times):.0f} issues/s)"
            )
            stats = http.get("/api/companies/stats").json()
            print(
                "counts after import:",
                {v["agentCount"] for v in stats.values()},
                {v["issueCount"] for v in stats.values()},
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        db.close()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()

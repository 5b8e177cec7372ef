"""Metrics of a real server: two HTTP workers and the heartbeat process write their own samples; a
scrape reaching any worker reports all of them. JSON log lines carry the request's X-Request-Id."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx

from .conftest import free_port


def _value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            key, _, value = line.rpartition(" ")
            found = dict(re.findall(r'(\w+)="([^"]*)"', key))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(value)
    return total


def test_scrape_merges_every_process_and_logs_carry_the_request_id(
    start, onboard, database_url: str, paperclip_home: Path
):
    onboard("local_trusted")
    port = free_port()
    server = start(
        "run",
        env={
            "PORT": str(port),
            "DATABASE_URL": database_url,
            "PAPERCLIP_WORKERS": "2",
            "PAPERCLIP_METRICS_ENABLED": "true",
            "PAPERCLIP_LOG_FORMAT": "json",
        },
    )
    assert server.wait_healthy(port).status_code == 200
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        for i in range(6):  # new connections: spread over both workers
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as one:
                assert (
                    one.post(
                        "/api/companies",
                        json={"name": f"Scrape Co {i}"},
                        headers={"x-request-id": f"trace-{i}"},
                    ).status_code
                    == 201
                )
        cid = http.get("/api/companies").json()[0]["id"]
        agent = http.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": "Runner",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        ).json()
        run = http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"}).json()
        deadline = time.monotonic() + 30
        while http.get(f"/api/heartbeat-runs/{run['id']}").json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # each process adds its requests to the shared values within a second (and before a scrape)
        deadline = time.monotonic() + 15
        while (
            _value(
                http.get("/api/metrics").text,
                "paperclip_http_requests_total",
                method="POST",
                route="/api/companies",
                status="201",
            )
            < 6
        ):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        # then every scrape, whichever worker answers it, sees the same totals
        for _ in range(4):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as one:
                text = one.get("/api/metrics").text
            assert (
                _value(
                    text, "paperclip_http_requests_total", method="POST", route="/api/companies", status="201"
                )
                == 6
            )
            # counted in the heartbeat process, reported by an HTTP worker
            assert _value(text, "paperclip_heartbeat_runs_finished_total", outcome="succeeded") == 1
            assert _value(text, "paperclip_heartbeat_runs_started_total", adapter="process") == 1
    assert server.terminate(timeout=12) == 0
    lines = [json.loads(line) for line in server.stderr.splitlines() if line.startswith("{")]
    posted = [
        line
        for line in lines
        if line.get("http", {}).get("method") == "POST" and line["http"]["path"] == "/api/companies"
    ]
    assert sorted(line["request_id"] for line in posted) == [f"trace-{i}" for i in range(6)]

"""GET /api/metrics after a workload: the counters moved by exactly what the workload did."""

from __future__ import annotations

import re

import httpx
import pytest


def samples(text: str) -> dict[str, float]:
    """{'name{labels}': value} of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


def value(scrape: dict[str, float], name: str, **labels: str) -> float:
    """The sum of the series of `name` whose labels include `labels` (0 when none)."""
    total = 0.0
    for key, v in scrape.items():
        metric, _, rest = key.partition("{")
        if metric != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if all(found.get(k) == want for k, want in labels.items()):
            total += v
    return total


async def scrape(client) -> dict[str, float]:
    response = await client.get("/api/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_http_counters_by_route_template_and_status_move_by_the_workload(client):
    before = await scrape(client)
    ids = []
    for n in range(3):
        created = await client.post("/api/companies", json={"name": f"Metrics Co {n}"})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    for _ in range(5):
        assert (await client.get("/api/companies")).status_code == 200
    for cid in ids[:2]:
        assert (await client.get(f"/api/companies/{cid}")).status_code == 200
    missing = await client.get("/api/companies/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    after = await scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    total = "paperclip_http_requests_total"
    assert moved(total, method="POST", route="/api/companies", status="201") == 3
    assert moved(total, method="GET", route="/api/companies", status="200") == 5
    assert moved(total, method="GET", route="/api/companies/{company_id}", status="200") == 2
    assert moved(total, method="GET", route="/api/companies/{company_id}", status="404") == 1
    # one series per template, never per raw path
    assert not any(cid in key for key in after for cid in ids)
    hist = "paperclip_http_request_duration_seconds_count"
    assert moved(hist, method="GET", route="/api/companies") == 5
    assert moved(hist, method="GET", route="/api/companies/{company_id}") == 3
    assert (
        moved(
            "paperclip_http_request_duration_seconds_bucket", method="GET", route="/api/companies", le="+Inf"
        )
        == 5
    )
    # the previous scrape is counted too
    assert moved(total, method="GET", route="/api/metrics", status="200") == 1
    assert value(after, "paperclip_db_connections") >= 1


async def test_heartbeat_runs_and_queue_metrics(app_with_runner, client, factory):
    company = await factory.company()
    ok = await factory.agent(company, config={"command": "true"})
    bad = await factory.agent(company, config={"command": "false"})
    before = await scrape(client)
    run_ids = []
    for agent in (ok, ok, bad):
        res = await client.post(f"/api/agents/{agent}/wakeup", json={"reason": "metrics"})
        assert res.status_code == 202, res.text
        run_ids.append(res.json()["id"])
    outcomes = [(await factory.wait_run(rid)).status for rid in run_ids]
    assert sorted(outcomes) == ["failed", "succeeded", "succeeded"]
    after = await scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("paperclip_heartbeat_runs_started_total", adapter="process") == 3
    assert moved("paperclip_heartbeat_runs_finished_total", outcome="succeeded") == 2
    assert moved("paperclip_heartbeat_runs_finished_total", outcome="failed") == 1
    assert moved("paperclip_heartbeat_run_duration_seconds_count", outcome="succeeded") == 2
    assert value(after, "paperclip_heartbeat_queue_depth") == 0
    assert value(after, "paperclip_heartbeat_runs_running") == 0


async def test_tick_duration_is_observed(client, heartbeat):
    before = await scrape(client)
    from paperclip.clock import utcnow

    await heartbeat.tick(utcnow())
    await heartbeat.tick(utcnow())
    after = await scrape(client)
    name = "paperclip_heartbeat_scheduler_tick_duration_seconds_count"
    assert value(after, name) - value(before, name) == 2


async def test_metrics_are_off_by_default(make_settings, database_url):
    from paperclip.server.runtime import build_app

    app = build_app(make_settings(), database_url, 3100, role="api")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost:3100"
        ) as http:
            response = await http.get("/api/metrics")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "client_ip, status",
    [
        ("127.0.0.1", 200),
        ("10.1.2.3", 200),
        ("172.20.0.5", 200),
        ("8.8.4.4", 403),
        ("203.0.113.7", 403),
        ("::ffff:8.8.4.4", 403),
        ("::1", 200),
    ],
)
async def test_without_a_token_only_loopback_and_private_networks(app, client_ip, status):
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as http:
        assert (await http.get("/api/metrics")).status_code == status


async def test_a_token_is_required_from_anywhere_when_set(make_settings, database_url):
    from paperclip.server.runtime import build_app

    app = build_app(
        make_settings({"PAPERCLIP_METRICS_ENABLED": "true", "PAPERCLIP_METRICS_TOKEN": "s3cret-token"}),
        database_url,
        3100,
        role="api",
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as http:
            assert (await http.get("/api/metrics")).status_code == 401
            wrong = await http.get("/api/metrics", headers={"authorization": "Bearer nope"})
            assert wrong.status_code == 401 and "s3cret" not in wrong.text
            right = await http.get("/api/metrics", headers={"authorization": "Bearer s3cret-token"})
            assert right.status_code == 200 and "paperclip_http_requests_total" in right.text


async def test_request_id_is_returned_kept_or_made(client):
    made = await client.get("/api/health")
    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["x-request-id"])
    kept = await client.get("/api/health", headers={"x-request-id": "lb-7f3a:trace/42"})
    assert kept.headers["x-request-id"] == "lb-7f3a:trace/42"
    forged = await client.get("/api/health", headers={"x-request-id": 'x" level="error'})
    assert re.fullmatch(r"[0-9a-f]{16}", forged.headers["x-request-id"])
    failed = await client.get("/api/companies/not-a-uuid")
    assert failed.status_code >= 400 and failed.headers.get("x-request-id")

"""GET /api/metrics: Prometheus text format.

Off (404) unless PAPERCLIP_METRICS_ENABLED=true. With PAPERCLIP_METRICS_TOKEN set, a scraper sends
`Authorization: Bearer <token>`; without it, only clients on loopback or private networks may scrape
(a Prometheus beside the server, or inside the platform's network).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from paperclip import metrics
from paperclip.errors import Forbidden, NotFound, Unauthorized
from paperclip.feature_router import FeatureRouter
from paperclip.metrics import queries

router = FeatureRouter()
# Loopback is always allowed; these are the networks a scraper next to the server lives on (RFC 1918,
# carrier-grade NAT as Tailscale uses, IPv6 unique-local). Not ipaddress's is_private: it also counts
# documentation and reserved ranges.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


def _authorise(request: Request) -> None:
    settings = request.app.state.settings
    if not settings.metrics_enabled:
        raise NotFound("API route not found")
    token = settings.metrics_token
    if token:
        sent = request.headers.get("authorization", "")
        if not (sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), token.encode())):
            raise Unauthorized("Metrics need Authorization: Bearer <PAPERCLIP_METRICS_TOKEN>")
        return
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address is None or not (address.is_loopback or any(address in net for net in PRIVATE_NETWORKS)):
        raise Forbidden(
            "Metrics are served to loopback and private networks only (or set PAPERCLIP_METRICS_TOKEN)"
        )


def _database_families(app, facts, connections) -> list:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    families: list[Any] = []
    queue = GaugeMetricFamily("paperclip_heartbeat_queue_depth", "Heartbeat runs queued (all replicas)")
    queue.add_metric([], facts["queued"])
    families.append(queue)
    age = GaugeMetricFamily(
        "paperclip_heartbeat_queue_oldest_age_seconds", "Age of the oldest queued heartbeat run"
    )
    age.add_metric([], float(facts["oldest"] or 0))
    families.append(age)
    running = GaugeMetricFamily("paperclip_heartbeat_runs_running", "Heartbeat runs running (all replicas)")
    running.add_metric([], facts["running"])
    families.append(running)
    stops = CounterMetricFamily(
        "paperclip_budget_hard_stops", "Hard budget stops (incidents that paused spending)"
    )
    stops.add_metric([], facts["hard_stops"])
    families.append(stops)
    conns = GaugeMetricFamily(
        "paperclip_db_connections",
        "Connections to the database by state (all processes and replicas)",
        labels=["state"],
    )
    for state, count in connections:
        conns.add_metric([state], count)
    families.append(conns)
    pool = GaugeMetricFamily(
        "paperclip_db_pool_connections", "This process's SQLAlchemy pools", labels=["pool", "kind"]
    )
    for name, engine in (("write", getattr(app.state, "engine", None)),):
        if engine is not None:
            p = engine.pool
            pool.add_metric([name, "checked_out"], p.checkedout())
            pool.add_metric([name, "size"], p.size())
    families.append(pool)
    return families


class _Families:
    def __init__(self, families):
        self.families = families

    def collect(self):
        return self.families


@router.get("/metrics", include_in_schema=False)
async def scrape(request: Request):
    _authorise(request)
    metrics.flush()  # this process's requests so far; the others flush every second
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    async with request.app.state.health_sessions() as session:
        facts = await queries.HEARTBEAT_FACTS.fetchrow(session)
        connections = [(row["state"], row["n"]) for row in await queries.CONNECTIONS_BY_STATE.fetch(session)]
    live = CollectorRegistry()
    live.register(_Families(_database_families(request.app, facts, connections)))

    def render() -> bytes:
        if os.environ.get(metrics.MULTIPROC_ENV):
            from prometheus_client import multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return generate_latest(merged) + generate_latest(live)
        return generate_latest(REGISTRY) + generate_latest(live)

    # Merging every process's files and rendering 10,000 series takes a good fraction of a second
    # (bench/metrics_bench.py): in a thread, so the worker's other requests keep being served meanwhile.
    return Response(await asyncio.to_thread(render), media_type=CONTENT_TYPE_LATEST)

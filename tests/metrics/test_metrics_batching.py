"""Requests added up between flushes land in the same buckets, sum and count as Histogram.observe."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from paperclip import metrics


def _series(text: str, prefix: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line.startswith(prefix) and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key[len(prefix) :]] = float(value)
    return out


def test_batched_observations_equal_one_by_one_observations():
    metrics.enable()
    route = "/test/batching/{x}"
    amounts = [0.0, 0.002, 0.0021, 0.01, 0.3, 0.3, 9.99, 10.0, 10.01, 120.0]
    registry = CollectorRegistry()
    reference = Histogram(
        "ref_seconds", "reference", ["method", "route"], buckets=metrics.HTTP_BUCKETS, registry=registry
    )
    for amount in amounts:
        metrics.observe_request("GET", route, 200, amount)
        reference.labels("GET", route).observe(amount)
    metrics.observe_request("GET", route, 500, 0.05)
    metrics.flush()
    from prometheus_client import REGISTRY

    ours = {
        k: v
        for k, v in _series(
            generate_latest(REGISTRY).decode(), "paperclip_http_request_duration_seconds"
        ).items()
        if route in k and not k.startswith("_created")
    }
    ref = {
        k: v
        for k, v in _series(generate_latest(registry).decode(), "ref_seconds").items()
        if not k.startswith("_created")
    }
    assert ours.pop('_count{method="GET",route="/test/batching/{x}"}') == len(amounts) + 1
    assert ref.pop('_count{method="GET",route="/test/batching/{x}"}') == len(amounts)
    # the 500 adds one observation of 0.05 s: every bucket from le=0.05 up holds one more
    for key, value in ref.items():
        if key.startswith("_bucket"):
            bound = key.split('le="')[1].split('"')[0]
            extra = 1 if bound == "+Inf" or float(bound) >= 0.05 else 0
            assert ours[key] == value + extra, key
    assert abs(ours['_sum{method="GET",route="/test/batching/{x}"}'] - (sum(amounts) + 0.05)) < 1e-9
    counter = _series(generate_latest(REGISTRY).decode(), "paperclip_http_requests_total")
    assert counter['{method="GET",route="/test/batching/{x}",status="200"}'] == len(amounts)
    assert counter['{method="GET",route="/test/batching/{x}",status="500"}'] == 1

"""Malformed JSON, wrong types, huge and hostile values on every route of companies, agents, goals,
projects and activity: always a 4xx with an `error`, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest

HUGE = "x" * 300_000


async def _world(client) -> dict[str, str]:
    cid = (await client.post("/api/companies", json={"name": "Acme"})).json()["id"]
    agent = (await client.post(f"/api/companies/{cid}/agents", json={"name": "A"})).json()["id"]
    await client.patch(f"/api/agents/{agent}", json={"title": "t"})
    rev = (await client.get(f"/api/agents/{agent}/config-revisions")).json()[0]["id"]
    key = (await client.post(f"/api/agents/{agent}/keys", json={"name": "k"})).json()["id"]
    goal = (await client.post(f"/api/companies/{cid}/goals", json={"title": "g"})).json()["id"]
    project = (await client.post(f"/api/companies/{cid}/projects", json={"name": "p"})).json()["id"]
    return {"cid": cid, "agent": agent, "rev": rev, "key": key, "goal": goal, "project": project}


ROUTES = [
    ("GET", "/api/companies"),
    ("GET", "/api/companies/stats"),
    ("POST", "/api/companies"),
    ("GET", "/api/companies/{cid}"),
    ("PATCH", "/api/companies/{cid}"),
    ("POST", "/api/companies/{cid}/archive"),
    ("GET", "/api/companies/{cid}/org"),
    ("GET", "/api/companies/{cid}/agents"),
    ("POST", "/api/companies/{cid}/agents"),
    ("POST", "/api/companies/{cid}/agent-hires"),
    ("GET", "/api/agents/me"),
    ("GET", "/api/agents/{agent}"),
    ("PATCH", "/api/agents/{agent}"),
    ("GET", "/api/agents/{agent}/configuration"),
    ("PATCH", "/api/agents/{agent}/permissions"),
    ("GET", "/api/agents/{agent}/config-revisions"),
    ("GET", "/api/agents/{agent}/config-revisions/{rev}"),
    ("POST", "/api/agents/{agent}/config-revisions/{rev}/rollback"),
    ("GET", "/api/agents/{agent}/keys"),
    ("POST", "/api/agents/{agent}/keys"),
    ("POST", "/api/agents/{agent}/pause"),
    ("POST", "/api/agents/{agent}/resume"),
    ("POST", "/api/agents/{agent}/clear-error"),
    ("POST", "/api/agents/{agent}/approve"),
    ("GET", "/api/companies/{cid}/goals"),
    ("POST", "/api/companies/{cid}/goals"),
    ("GET", "/api/goals/{goal}"),
    ("PATCH", "/api/goals/{goal}"),
    ("GET", "/api/companies/{cid}/projects"),
    ("POST", "/api/companies/{cid}/projects"),
    ("GET", "/api/projects/{project}"),
    ("PATCH", "/api/projects/{project}"),
    ("GET", "/api/companies/{cid}/activity"),
    ("POST", "/api/companies/{cid}/activity"),
    # destructive ones last
    ("DELETE", "/api/agents/{agent}/keys/{key}"),
    ("POST", "/api/agents/{agent}/terminate"),
    ("DELETE", "/api/projects/{project}"),
    ("DELETE", "/api/goals/{goal}"),
    ("DELETE", "/api/agents/{agent}"),
    ("DELETE", "/api/companies/{cid}"),
]

HOSTILE_VALUES = [
    None,
    123,
    -1,
    10**40,
    1.5,
    True,
    "",
    HUGE,
    "nul\x00byte",
    [],
    ["x"] * 1000,
    {"a": 1},
    "not-a-uuid",
    {"k": "nul\x00"},
    {"\x00": 1},
]

RAW_BODIES = [
    b"{bad",
    b"[]",
    b"null",
    b'"str"',
    b"123",
    b"",
    b"{" * 5000,
    b"[" * 100_000,
    "\u00ff".encode("latin-1"),
]

BAD_IDS = ["not-a-uuid", str(uuid.uuid4()), "x" * 2000, "%00", "..%2F..%2Fetc"]


def _ok(r) -> None:
    assert r.status_code < 500, (r.request.method, str(r.request.url)[:200], r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert "error" in r.json()


def _body_fields(app, method: str, template: str) -> list[str]:
    """The fields the route's request body declares (from our OpenAPI), plus one unknown field."""
    operation = app.openapi()["paths"][
        template.replace("{cid}", "{company_id}")
        .replace("{agent}", "{agent_id}")
        .replace("{rev}", "{revision_id}")
        .replace("{key}", "{key_id}")
        .replace("{goal}", "{goal_id}")
        .replace("{project}", "{project_id}")
    ]
    schema = operation[method.lower()].get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = schema.get("schema", {})
    if "$ref" in schema:
        schema = app.openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for alternative in schema.get("anyOf", []):
        if "$ref" in alternative:
            schema = app.openapi()["components"]["schemas"][alternative["$ref"].rsplit("/", 1)[1]]
    return [*schema.get("properties", {}), "unknownField"]


@pytest.mark.timeout(600)
async def test_no_route_answers_500_to_bad_input(client, app):
    ids = await _world(client)
    for method, template in ROUTES:
        path = template.format(**ids)
        has_body = method in ("POST", "PATCH")
        if has_body:
            for raw in RAW_BODIES:
                _ok(
                    await client.request(
                        method, path, content=raw, headers={"content-type": "application/json"}
                    )
                )
            fields = _body_fields(app, method, template)
            assert len(fields) > 1 or template.endswith(
                ("/archive", "/rollback", "/pause", "/resume", "/clear-error", "/approve", "/terminate")
            ), template
            for field in fields:
                for value in HOSTILE_VALUES:
                    _ok(
                        await client.request(
                            method,
                            path,
                            content=json.dumps({field: value}),
                            headers={"content-type": "application/json"},
                        )
                    )
        for name in ("cid", "agent", "rev", "key", "goal", "project"):
            if "{" + name + "}" in template:
                for bad in BAD_IDS:
                    r = await client.request(
                        method,
                        template.format(**{**ids, name: bad}),
                        json={"name": "x", "title": "x"} if has_body else None,
                    )
                    _ok(r)
                    assert r.status_code in (400, 404, 405, 409, 422), (template, bad, r.status_code)
        _ok(
            await client.request(
                method,
                path,
                params={
                    "limit": "-5",
                    "offset": "x" * 5000,
                    "agentId": "\x00",
                    "entityType": "\x00",
                    "action": HUGE[:10000],
                },
            )
        )

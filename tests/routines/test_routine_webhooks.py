"""Webhook triggers over real HTTP (uvicorn on 127.0.0.1): every signing mode valid, wrong, replayed
and stale; rotation; payload limits; never a 500."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest


@pytest.fixture
async def http(live_server):
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as client:
        yield client


@pytest.fixture
async def hooks(http):
    cid = (await http.post("/api/companies", json={"name": "Hooks"})).json()["id"]
    agent = (
        await http.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": "Bot",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        )
    ).json()

    async def make(mode, policy="always_enqueue", **extra):
        routine = (
            await http.post(
                f"/api/companies/{cid}/routines",
                json={
                    "title": "Hook {{ref}}",
                    "assigneeAgentId": agent["id"],
                    "concurrencyPolicy": policy,
                    "variables": [{"name": "ref", "defaultValue": "main"}],
                },
            )
        ).json()
        r = await http.post(
            f"/api/routines/{routine['id']}/triggers", json={"kind": "webhook", "signingMode": mode, **extra}
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return routine, body["trigger"], body["secretMaterial"]["webhookSecret"]

    return make


def fire_url(trigger):
    return f"/api/routine-triggers/public/{trigger['publicId']}/fire"


def hmac_headers(secret, body: bytes, stamp=None, prefix=""):
    stamp = str(int(time.time())) if stamp is None else str(stamp)
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/json",
        "x-paperclip-timestamp": stamp,
        "x-paperclip-signature": prefix + signature,
    }


async def test_bearer(http, hooks):
    routine, trigger, secret = await hooks("bearer")
    body = json.dumps({"variables": {"ref": "v1.2"}})
    r = await http.post(fire_url(trigger), content=body, headers={"authorization": f"Bearer {secret}"})
    assert r.status_code == 202, r.text
    run = r.json()
    assert (run["status"], run["source"], run["triggerId"]) == ("issue_created", "webhook", trigger["id"])
    assert run["triggerPayload"] == {"variables": {"ref": "v1.2"}}
    issue = (await http.get(f"/api/issues/{run['linkedIssueId']}")).json()
    assert issue["title"] == "Hook v1.2"
    for headers in [
        {},
        {"authorization": "Bearer wrong"},
        {"authorization": f"Basic {secret}"},
        {"authorization": f"Bearer {secret[:-1]}"},
        {"authorization": "Bearer " + "x" * 600},
    ]:
        r = await http.post(fire_url(trigger), content=body, headers=headers)
        assert r.status_code == 401 and r.json()["error"] == "Unauthorized", (headers, r.text)
        assert secret not in r.text
    assert (await http.post("/api/routine-triggers/public/nope/fire", content=body)).status_code == 404
    runs = (await http.get(f"/api/routines/{routine['id']}/runs")).json()
    assert len(runs) == 1 and runs[0]["trigger"] == {"id": trigger["id"], "kind": "webhook", "label": None}


async def test_hmac_sha256_valid_wrong_replayed_stale(http, hooks):
    _, trigger, secret = await hooks("hmac_sha256", replayWindowSec=60)
    body = b'{"event":"push"}'
    headers = hmac_headers(secret, body)
    r = await http.post(fire_url(trigger), content=body, headers=headers)
    assert r.status_code == 202 and r.json()["status"] == "issue_created", r.text
    # the same signed request again: a replay
    r = await http.post(fire_url(trigger), content=body, headers=headers)
    assert r.status_code == 409 and r.json()["error"] == "Webhook replay detected"
    # milliseconds and the sha256= prefix are accepted
    r = await http.post(
        fire_url(trigger),
        content=body,
        headers=hmac_headers(secret, body, int(time.time() * 1000), "sha256="),
    )
    assert r.status_code == 202, r.text
    # wrong: another secret, a changed body, a missing header
    r = await http.post(fire_url(trigger), content=body, headers=hmac_headers("not-the-secret", body))
    assert r.status_code == 401 and "does not match" in r.json()["details"]["reason"]
    r = await http.post(
        fire_url(trigger), content=b'{"event":"tampered"}', headers=hmac_headers(secret, body)
    )
    assert r.status_code == 401
    r = await http.post(fire_url(trigger), content=body, headers={"x-paperclip-signature": "abc"})
    assert r.status_code == 401
    # stale and future, correctly signed: outside the 60 s window
    for stamp in (int(time.time()) - 120, int(time.time()) + 120):
        r = await http.post(fire_url(trigger), content=body, headers=hmac_headers(secret, body, stamp))
        assert r.status_code == 401 and "replay window" in r.json()["details"]["reason"], r.text
    r = await http.post(
        fire_url(trigger), content=body, headers=hmac_headers(secret, body, "2026-12-04T10:00:00Z")
    )
    assert r.status_code == 401


async def test_github_hmac_valid_wrong_replayed(http, hooks):
    _, trigger, secret = await hooks("github_hmac")
    body = b'{"ref":"refs/heads/main","after":"abc"}'
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "content-type": "application/json",
        "x-hub-signature-256": signature,
        "x-github-event": "push",
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    }
    r = await http.post(fire_url(trigger), content=body, headers=headers)
    assert r.status_code == 202, r.text
    r = await http.post(fire_url(trigger), content=body, headers=headers)
    assert r.status_code == 409 and r.json()["error"] == "Webhook replay detected"
    r = await http.post(fire_url(trigger), content=body, headers={**headers, "x-github-delivery": "another"})
    assert r.status_code == 202
    r = await http.post(
        fire_url(trigger), content=body + b" ", headers={**headers, "x-github-delivery": "third"}
    )
    assert r.status_code == 401
    r = await http.post(fire_url(trigger), content=body, headers={"x-github-delivery": "fourth"})
    assert r.status_code == 401


async def test_none_rotation_disabled_and_limits(http, hooks):
    routine, open_trigger, _ = await hooks("none")
    r = await http.post(
        fire_url(open_trigger), content=b"plain text body", headers={"content-type": "text/plain"}
    )
    assert r.status_code == 202 and r.json()["triggerPayload"] == {"body": "plain text body"}
    assert (await http.post(fire_url(open_trigger))).status_code == 202
    r = await http.post(fire_url(open_trigger), content=b"x" * (256 * 1024 + 1))
    assert r.status_code == 413 and r.json()["error"] == "Webhook payload too large"
    r = await http.post(
        fire_url(open_trigger), content=b'{"a": "\\u0000"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    r = await http.post(
        fire_url(open_trigger), content=b"\xff\xfe", headers={"content-type": "application/octet-stream"}
    )
    assert r.status_code == 400
    await http.patch(f"/api/routine-triggers/{open_trigger['id']}", json={"enabled": False})
    r = await http.post(fire_url(open_trigger))
    assert r.status_code == 409 and r.json()["error"] == "Routine trigger is not active"
    # rotation: the old secret stops at once, the new one works
    _, trigger, old = await hooks("bearer")
    new = (await http.post(f"/api/routine-triggers/{trigger['id']}/rotate-secret")).json()["secretMaterial"][
        "webhookSecret"
    ]
    assert (await http.post(fire_url(trigger), headers={"authorization": f"Bearer {old}"})).status_code == 401
    assert (await http.post(fire_url(trigger), headers={"authorization": f"Bearer {new}"})).status_code == 202
    # an idempotency key header answers the same run
    a = await http.post(
        fire_url(trigger), headers={"authorization": f"Bearer {new}", "idempotency-key": "d1"}
    )
    b = await http.post(
        fire_url(trigger), headers={"authorization": f"Bearer {new}", "idempotency-key": "d1"}
    )
    assert a.status_code == b.status_code == 202 and a.json()["id"] == b.json()["id"]


async def test_coalescing_webhook_and_paused_routine(http, hooks):
    routine, trigger, _ = await hooks("none", policy="coalesce_if_active")
    first = (await http.post(fire_url(trigger))).json()
    second = (await http.post(fire_url(trigger))).json()
    assert (first["status"], second["status"], second["coalescedIntoRunId"]) == (
        "issue_created",
        "coalesced",
        first["id"],
    )
    detail = (await http.get(f"/api/routines/{routine['id']}")).json()
    assert detail["triggers"][0]["lastResult"] == "Coalesced into an existing live execution issue"
    await http.patch(f"/api/routines/{routine['id']}", json={"status": "paused"})
    assert (await http.post(fire_url(trigger))).status_code == 409


async def test_concurrent_api_runs_with_one_idempotency_key_make_one_issue(http, hooks):
    import asyncio

    routine, _, _ = await hooks("none")
    answers = await asyncio.gather(
        *[
            http.post(f"/api/routines/{routine['id']}/run", json={"source": "api", "idempotencyKey": "once"})
            for _ in range(8)
        ]
    )
    assert {a.status_code for a in answers} == {202}
    assert (
        len({a.json()["id"] for a in answers}) == 1 and len({a.json()["linkedIssueId"] for a in answers}) == 1
    )
    assert len((await http.get(f"/api/routines/{routine['id']}/runs")).json()) == 1

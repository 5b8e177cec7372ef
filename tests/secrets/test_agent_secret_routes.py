"""/api/agents/me/secrets, /api/agents/me/secrets/{key}/value and /api/companies/{id}/secrets/catalog.

A real agent process, woken on a live server, calls the routes with its run JWT: it lists and reads
exactly the secrets its bindings (agent env + its project's env) name, and nothing else."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
import uuid

import httpx

from paperclip.auth.run_jwt import mint_run_jwt
from paperclip.clock import utcnow

BOUND = "sk-bound-0123456789abcdef"
PROJECT = "sk-project-0123456789abcdef"
UNBOUND = "sk-unbound-0123456789abcdef"

CALLER = textwrap.dedent("""
    import json, os, sys, urllib.request, urllib.error
    base, key = os.environ["PAPERCLIP_API_URL"], os.environ["PAPERCLIP_API_KEY"]
    def call(method, path):
        req = urllib.request.Request(base + path, method=method, headers={"Authorization": "Bearer " + key})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())
    out = {"list": call("GET", "/api/agents/me/secrets"),
           "catalog": call("GET", "/api/companies/" + os.environ["PAPERCLIP_COMPANY_ID"] + "/secrets/catalog")}
    for name in sys.argv[2:]:
        out[name] = call("POST", "/api/agents/me/secrets/" + name + "/value")
    open(sys.argv[1], "w").write(json.dumps(out))
    print("fetched", out.get("bound-key", [0, {}])[1].get("value"), flush=True)
""")


async def _wait(http, run_id):
    for _ in range(1500):
        run = (await http.get(f"/api/heartbeat-runs/{run_id}")).json()
        if run["status"] in ("succeeded", "failed", "timed_out", "cancelled"):
            return run
        await asyncio.sleep(0.02)
    raise AssertionError(run)


async def test_a_run_reads_only_the_secrets_it_is_bound_to(live_server, tmp_path):
    out = tmp_path / "out.json"
    script = tmp_path / "caller.py"
    script.write_text(CALLER)
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        cid = (await http.post("/api/companies", json={"name": "Acme"})).json()["id"]

        async def secret(name, value):
            r = await http.post(f"/api/companies/{cid}/secrets", json={"name": name, "value": value})
            assert r.status_code == 201, r.text
            return r.json()

        bound, project, _ = (
            await secret("Bound Key", BOUND),
            await secret("project-key", PROJECT),
            await secret("unbound-key", UNBOUND),
        )
        r = await http.post(
            f"/api/companies/{cid}/projects",
            json={"name": "P", "env": {"PROJECT_KEY": {"type": "secret_ref", "secretId": project["id"]}}},
        )
        project_id = r.json()["id"]
        r = await http.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": "Caller",
                "adapterType": "process",
                "adapterConfig": {
                    "command": sys.executable,
                    "args": [
                        str(script),
                        str(out),
                        "bound-key",
                        "project-key",
                        "unbound-key",
                        "OPENAI_API_KEY",
                    ],
                    "env": {
                        "OPENAI_API_KEY": {
                            "type": "secret_ref",
                            "secretId": bound["id"],
                            "version": "latest",
                        },
                        "PLAIN": "plain-value",
                    },
                },
            },
        )
        assert r.status_code == 201, r.text
        agent_id = r.json()["id"]
        r = await http.post(
            f"/api/companies/{cid}/issues",
            json={"title": "t", "projectId": project_id, "assigneeAgentId": agent_id, "status": "todo"},
        )
        assert r.status_code == 201
        for _ in range(500):
            runs = (
                await http.get(f"/api/companies/{cid}/heartbeat-runs", params={"agentId": agent_id})
            ).json()
            if runs:
                break
            await asyncio.sleep(0.02)
        run = await _wait(http, runs[0]["id"])
        assert run["status"] == "succeeded", run

        seen = json.loads(out.read_text())
        status, body = seen["list"]
        assert status == 200
        listed = {s["key"]: s for s in body["secrets"]}
        assert set(listed) == {"bound-key", "project-key"}
        assert listed["bound-key"] == {
            "key": "bound-key",
            "name": "Bound Key",
            "description": None,
            "delivery": "env",
            "projectionClass": "unclassified",
            "latestVersion": 1,
            "versionSelector": "latest",
            "resolvedVersion": 1,
            "secretRef": bound["id"],
        }
        assert seen["bound-key"] == [200, {"key": "bound-key", "value": BOUND, "version": 1}]
        assert seen["project-key"] == [200, {"key": "project-key", "value": PROJECT, "version": 1}]
        denied = [403, {"error": "Secret access is not granted for this agent"}]
        assert seen["unbound-key"] == denied and seen["OPENAI_API_KEY"] == denied
        status, catalog = seen["catalog"]
        assert status == 200 and {c["key"] for c in catalog} == {"bound-key", "project-key", "unbound-key"}
        assert all(set(c) == {"id", "name", "key", "status"} for c in catalog)

        # the value the process printed is masked in its log; activity names versions, never values
        log = (await http.get(f"/api/heartbeat-runs/{run['id']}/log")).text
        assert "fetched ***REDACTED***" in log and BOUND not in log
        activity = (await http.get(f"/api/companies/{cid}/activity")).json()
        reads = [a for a in activity if a["action"] == "secret.value.read"]
        assert {(a["entityId"], json.dumps(a["details"], sort_keys=True)) for a in reads} == {
            (
                bound["id"],
                json.dumps({"configPath": "env.OPENAI_API_KEY", "outcome": "success", "version": 1}),
            ),
            (
                project["id"],
                json.dumps({"configPath": "env.PROJECT_KEY", "outcome": "success", "version": 1}),
            ),
        }
        assert all(a["runId"] == run["id"] for a in reads)
        assert any(a["action"] == "secret.access.listed" and a["details"] == {"count": 2} for a in activity)
        assert UNBOUND not in json.dumps(activity) and BOUND not in json.dumps(activity)


async def test_only_run_bound_agents_reach_the_values(app_with_runner, api, client, factory, settings):
    cid = (await api.company())["id"]
    s = await api.secret(cid, "pinned", "v1-value-0123456789")
    await client.post(f"/api/secrets/{s['id']}/rotate", json={"value": "v2-value-0123456789"})
    env = {"PINNED": {"type": "secret_ref", "secretId": s["id"], "version": 1}}
    a = (
        await client.post(
            f"/api/companies/{cid}/agents",
            json={"name": "A", "adapterType": "process", "adapterConfig": {"command": "true", "env": env}},
        )
    ).json()["id"]
    b = (
        await client.post(
            f"/api/companies/{cid}/agents",
            json={"name": "B", "adapterType": "process", "adapterConfig": {"command": "true"}},
        )
    ).json()["id"]
    run_a = (await client.post(f"/api/agents/{a}/wakeup", json={"reason": "probe"})).json()["id"]
    run_b = (await client.post(f"/api/agents/{b}/wakeup", json={"reason": "probe"})).json()["id"]
    await factory.wait_run(run_a)
    await factory.wait_run(run_b)

    def jwt_for(agent, run):
        token = mint_run_jwt(
            settings,
            agent_id=uuid.UUID(agent),
            company_id=uuid.UUID(cid),
            run_id=uuid.UUID(run),
            adapter_type="process",
            now=utcnow(),
        )
        return {"Authorization": f"Bearer {token}"}

    # a pinned version is what the binding names, not the latest
    r = await client.post("/api/agents/me/secrets/pinned/value", headers=jwt_for(a, run_a))
    assert r.json() == {"key": "pinned", "value": "v1-value-0123456789", "version": 1}
    listed = (await client.get("/api/agents/me/secrets", headers=jwt_for(a, run_a))).json()["secrets"]
    assert [(x["versionSelector"], x["resolvedVersion"], x["latestVersion"]) for x in listed] == [(1, 1, 2)]

    run_bound = {"error": "Run-bound agent authentication required"}
    # the board, an agent API key, and a JWT naming another agent's run: refused
    for headers in (
        {},
        await api.agent_auth((await api.agent(cid, "Keyholder"))["id"]),
        {**jwt_for(a, run_b)},
        {**jwt_for(b, run_b), "X-Paperclip-Run-Id": run_a},
    ):
        for method, path in (
            ("GET", "/api/agents/me/secrets"),
            ("POST", "/api/agents/me/secrets/pinned/value"),
        ):
            r = await client.request(method, path, headers=headers)
            assert (r.status_code, r.json()) == (403, run_bound), (headers, path)
    # agent B's own run: bound to nothing
    r = await client.post("/api/agents/me/secrets/pinned/value", headers=jwt_for(b, run_b))
    assert r.status_code == 403 and r.json() == {"error": "Secret access is not granted for this agent"}
    assert (await client.get("/api/agents/me/secrets", headers=jwt_for(b, run_b))).json() == {"secrets": []}

    # the catalog: the company's own agents and the board; another company's agent is refused
    other = (await api.company("Other"))["id"]
    r = await client.get(
        f"/api/companies/{cid}/secrets/catalog",
        headers=await api.agent_auth((await api.agent(other, "Keyholder"))["id"]),
    )
    assert r.status_code == 403
    r = await client.get(f"/api/companies/{cid}/secrets/catalog")
    assert r.json() == [{"id": s["id"], "name": "pinned", "key": "pinned", "status": "active"}]

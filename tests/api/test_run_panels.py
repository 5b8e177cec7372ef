"""The run page's panels the original's web app reads (workspace operations, tool decisions, provider
traces): empty for our runs, the original's 404s for unknown ones, a 400 for a malformed run id list."""

from __future__ import annotations

import uuid


async def _run(client, name: str = "Panels") -> tuple[str, str]:
    cid = (await client.post("/api/companies", json={"name": name})).json()["id"]
    agent = (
        await client.post(
            f"/api/companies/{cid}/agents",
            json={"name": "Ada", "adapterType": "process", "adapterConfig": {"command": "true"}},
        )
    ).json()
    run = await client.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"})
    assert run.status_code == 202, run.text
    return cid, run.json()["id"]


async def test_workspace_operations_of_a_run(client):
    _, run_id = await _run(client)
    r = await client.get(f"/api/heartbeat-runs/{run_id}/workspace-operations")
    assert r.status_code == 200 and r.json() == []
    missing = await client.get(f"/api/heartbeat-runs/{uuid.uuid4()}/workspace-operations")
    assert missing.status_code == 404 and missing.json()["error"] == "Heartbeat run not found"


async def test_tool_decisions_of_a_run_only_under_its_own_company(client):
    cid, run_id = await _run(client)
    other, _ = await _run(client, "Other")
    r = await client.get(f"/api/companies/{cid}/tools/runs/{run_id}/decisions")
    assert r.status_code == 200 and r.json() == {"runId": run_id, "decisions": []}
    for path in (
        f"/api/companies/{other}/tools/runs/{run_id}/decisions",
        f"/api/companies/{cid}/tools/runs/{uuid.uuid4()}/decisions",
    ):
        wrong = await client.get(path)
        assert wrong.status_code == 404 and wrong.json()["error"] == "Run not found"


async def test_provider_traces_filtered_by_run_ids(client):
    cid, run_id = await _run(client)
    assert (await client.get(f"/api/companies/{cid}/provider-traces")).json() == []
    r = await client.get(
        f"/api/companies/{cid}/provider-traces", params={"runIds": f"{run_id},{uuid.uuid4()}"}
    )
    assert r.status_code == 200 and r.json() == []
    bad = await client.get(f"/api/companies/{cid}/provider-traces", params={"runIds": "nope"})
    assert bad.status_code == 400 and "runIds" in bad.json()["error"]
    unknown = await client.get(f"/api/companies/{cid}/provider-traces", params={"kind": "x"})
    assert unknown.status_code == 400

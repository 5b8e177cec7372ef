"""GET /issues/:id/diagnostics/wakes and /subtree through HTTP: the original's shapes and sentences
(recorded side by side): nothing to say without wakes, the latest wake named (a failed one's error
withheld), a parent's subtree with parent and wake edges, another company's agent refused."""

from __future__ import annotations

import json
import uuid


def wake(
    db, company_id: str, agent_id: str, issue_id: str, status: str, reason: str, minutes_ago: int
) -> str:
    """A wake-up request about the issue, as the heartbeat queue records them."""
    wid = str(uuid.uuid4())
    db.sql(
        "INSERT INTO agent_wakeup_requests (id, company_id, agent_id, source, reason, status, payload,"
        " requested_at, finished_at) VALUES (%s, %s, %s, 'automation', %s, %s, %s::jsonb,"
        " now() - make_interval(mins => %s), now())",
        wid,
        company_id,
        agent_id,
        reason,
        status,
        json.dumps({"issueId": issue_id}),
        minutes_ago,
    )
    return wid


async def _get(client, issue_id: str, what: str, **kw) -> dict:
    r = await client.get(f"/api/issues/{issue_id}/diagnostics/{what}", **kw)
    assert r.status_code == 200, r.text
    return r.json()


async def test_wake_diagnostics(client, api, db):
    cid = (await api.company("Wake Co"))["id"]
    agent = await api.agent(cid, "Proc")
    quiet = await api.issue(cid, title="quiet")
    body = await _get(client, quiet["id"], "wakes")
    assert (body["diagnosis"], body["likelyReason"], body["events"], body["wakeRequestCount"]) == (
        None,
        None,
        [],
        0,
    )
    assert body["caps"] == {"maxWakeRequests": 50, "maxActivityRecords": 50, "lookbackDays": 14}
    assert body["truncatedSections"] == {"wakeRequests": False, "activityRecords": False}

    busy = await api.issue(cid, title="busy")
    wake(db, cid, agent["id"], busy["id"], "skipped", "heartbeat_timer", 10)
    wake(db, cid, agent["id"], busy["id"], "completed", "issue_assigned", 5)
    body = await _get(client, busy["id"], "wakes")
    name = busy["identifier"]
    assert body["diagnosis"] == f"The most recent wake for {name} completed for issue_assigned."
    assert [(e["status"], e["reason"], e["failureClass"]) for e in body["events"]] == [
        ("completed", "issue_assigned", None),
        ("skipped", "other", "skipped"),
    ]
    assert body["wakeRequestCount"] == 2 and body["events"][0]["agentId"] == agent["id"]
    wake(db, cid, agent["id"], busy["id"], "failed", "run_liveness", 1)
    body = await _get(client, busy["id"], "wakes")
    assert (
        body["likelyReason"]
        == f"The most recent wake for {name} failed for other; raw error text is withheld."
    )

    other = await api.company("Other")
    headers = await api.agent_auth((await api.agent(other["id"], "Nosy"))["id"])
    for what in ("wakes", "subtree"):
        r = await client.get(f"/api/issues/{busy['id']}/diagnostics/{what}", headers=headers)
        assert r.status_code == 403
        r = await client.get(f"/api/issues/{uuid.uuid4()}/diagnostics/{what}")
        assert (r.status_code, r.json()["error"]) == (404, "Issue not found")


async def test_subtree_diagnostics(client, api, db):
    cid = (await api.company("Tree Co"))["id"]
    agent = await api.agent(cid, "Proc")
    leaf = await api.issue(cid, title="leaf")
    body = await _get(client, leaf["id"], "subtree")
    assert (body["nodeCount"], body["edges"], body["diagnosis"], body["truncated"]) == (1, [], None, False)
    assert body["nodes"][0]["parentId"] is None and body["nodes"][0]["depth"] == 0
    assert body["caps"] == {
        "maxDepth": 8,
        "maxNodes": 100,
        "maxBlockersPerNode": 20,
        "maxWakeRequestsPerNode": 5,
        "maxActivityRecordsPerNode": 5,
        "lookbackDays": 14,
    }

    parent = await api.issue(cid, title="parent")
    c1 = await api.issue(cid, title="c1", parentId=parent["id"])
    c2 = await api.issue(cid, title="c2", parentId=parent["id"])
    body = await _get(client, parent["id"], "subtree")
    assert [(n["issue"]["id"], n["parentId"], n["depth"]) for n in body["nodes"]] == [
        (parent["id"], None, 0),
        (c1["id"], parent["id"], 1),
        (c2["id"], parent["id"], 1),
    ]
    assert [(e["kind"], e["fromIssueId"], e["toIssueId"]) for e in body["edges"]] == [
        ("parent", parent["id"], c2["id"]),
        ("parent", parent["id"], c1["id"]),
    ]
    assert body["diagnosis"] is None and body["nodeCount"] == 3

    for i in range(6):
        wake(db, cid, agent["id"], c1["id"], "completed", "other", 30 - i)
    body = await _get(client, parent["id"], "subtree")
    node = next(n for n in body["nodes"] if n["issue"]["id"] == c1["id"])
    assert node["truncated"] and node["wakeRequestCount"] == 5 and len(node["wakeEvents"]) == 5
    assert node["diagnosis"] == (
        f"Wake diagnostics for {c1['identifier']} are truncated to 5 wake requests and 5 activity records"
        " over 14 days, so the diagnosis only covers returned records."
    )
    assert body["truncatedSections"]["wakeRequests"] and body["truncated"]
    assert body["diagnosis"] == (
        f"Subtree diagnostics for {parent['identifier']} are bounded to depth 8 and 100 nodes,"
        " so the diagnosis only covers returned visible nodes."
    )
    assert sum(1 for e in body["edges"] if e["kind"] == "wake_request") == 5

"""GET /issues/:id/diagnostics/blockers through HTTP: the original's shape and diagnosis sentences
(recorded side by side): the first unresolved blocker named, cancelled blockers explained, a blocked
issue whose blockers are all done called a stale hold, nothing to say without blockers."""

from __future__ import annotations

import uuid


async def _diag(client, issue_id: str) -> dict:
    r = await client.get(f"/api/issues/{issue_id}/diagnostics/blockers")
    assert r.status_code == 200, r.text
    return r.json()


async def test_blocker_diagnoses(client, api):
    cid = (await api.company("Diag Co"))["id"]
    backlog = await api.issue(cid, title="b1", status="backlog")
    todo = await api.issue(cid, title="b2", status="todo")
    blocked = await api.issue(
        cid, title="multi", status="blocked", blockedByIssueIds=[backlog["id"], todo["id"]]
    )
    body = await _diag(client, blocked["id"])
    assert body["issue"]["identifier"] == blocked["identifier"] and body["issue"]["status"] == "blocked"
    assert (
        body["diagnosis"]
        == f"{blocked['identifier']} is blocked by {backlog['identifier']}, which is backlog."
    )
    assert body["readiness"] == {
        "allBlockersDone": False,
        "isDependencyReady": False,
        "unresolvedBlockerCount": 2,
        "pendingFinalizeBlockerCount": 0,
    }
    assert [(b["identifier"], b["isUnresolved"], b["flags"]) for b in body["blockers"]] == [
        (backlog["identifier"], True, []),
        (todo["identifier"], True, []),
    ]
    assert (body["truncated"], body["caps"], body["omittedUnauthorizedBlockerCount"]) == (
        False,
        {"maxBlockers": 100},
        0,
    )

    await client.patch(f"/api/issues/{backlog['id']}", json={"status": "done"})
    body = await _diag(client, blocked["id"])
    assert body["diagnosis"] == f"{blocked['identifier']} is blocked by {todo['identifier']}, which is todo."
    assert body["blockers"][0]["flags"] == ["done_but_blocking"] and body["blockers"][0]["isDependencyReady"]
    await client.patch(f"/api/issues/{todo['id']}", json={"status": "done"})
    body = await _diag(client, blocked["id"])
    if body["issue"]["status"] == "blocked":  # a stale hold
        assert body["diagnosis"].startswith(f"All blockers for {blocked['identifier']} are resolved")
    else:  # unblocked when its last blocker finished: nothing to diagnose
        assert body["diagnosis"] is None
    assert body["readiness"]["allBlockersDone"] is True

    gone = await api.issue(cid, title="b3", status="cancelled")
    waiting = await api.issue(cid, title="w", status="blocked", blockedByIssueIds=[gone["id"]])
    assert (await _diag(client, waiting["id"]))["diagnosis"] == (
        f"{waiting['identifier']} is blocked by {gone['identifier']}, which is cancelled; cancelled blockers "
        "do not resolve until the blocker relation is removed or replaced."
    )
    free = await api.issue(cid, title="free")
    body = await _diag(client, free["id"])
    assert body["diagnosis"] is None and body["blockers"] == []

    for ref in ("nope", str(uuid.uuid4())):
        r = await client.get(f"/api/issues/{ref}/diagnostics/blockers")
        assert (r.status_code, r.json()["error"]) == (404, "Issue not found")
    other = await api.company("Other")
    headers = await api.agent_auth((await api.agent(other["id"], "Nosy"))["id"])
    r = await client.get(f"/api/issues/{blocked['id']}/diagnostics/blockers", headers=headers)
    assert r.status_code == 403

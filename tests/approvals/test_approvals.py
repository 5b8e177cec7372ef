"""Approvals (reference §9.1, conformance #29): lifecycle, decisions, hires, comments, issue links."""

from __future__ import annotations

import uuid


async def create(api, company_id: str, headers=None, **body):
    body = {"type": "request_board_approval", "payload": {"question": "ok?"}, **body}
    return await api.client.post(f"/api/companies/{company_id}/approvals", json=body, headers=headers or {})


async def test_create_get_and_list_approvals(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    r = await create(
        api, c["id"], type="approve_ceo_strategy", payload={"plan": "x"}, requestedByAgentId=a["id"]
    )
    assert r.status_code == 201, r.text
    ap = r.json()
    assert (
        ap["status"] == "pending" and ap["type"] == "approve_ceo_strategy" and ap["payload"] == {"plan": "x"}
    )
    assert ap["requestedByAgentId"] == a["id"] and ap["requestedByUserId"] == "local-board"
    assert ap["decidedAt"] is None and ap["decisionNote"] is None and ap["decidedByUserId"] is None
    assert (await api.client.get(f"/api/approvals/{ap['id']}")).json() == ap
    listed = (await api.client.get(f"/api/companies/{c['id']}/approvals")).json()
    assert [x["id"] for x in listed] == [ap["id"]]
    assert (await api.client.get(f"/api/companies/{c['id']}/approvals?status=approved")).json() == []
    act = db.one("SELECT * FROM activity_log WHERE action = 'approval.created'")
    assert act["entity_id"] == ap["id"] and act["actor_type"] == "user" and act["actor_id"] == "local-board"

    r = await api.client.get(f"/api/approvals/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json() == {"error": "Approval not found"}
    assert (await api.client.get("/api/approvals/not-a-uuid")).status_code == 404
    r = await create(api, str(uuid.uuid4()))
    assert r.status_code == 404 and r.json() == {"error": "Company not found"}


async def test_agent_creates_approval_as_itself(api):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    headers = await api.agent_auth(a["id"])
    r = await create(api, c["id"], headers=headers)
    assert r.status_code == 201
    assert r.json()["requestedByAgentId"] == a["id"] and r.json()["requestedByUserId"] is None
    other = await api.company("Other Co")
    assert (await create(api, other["id"], headers=headers)).status_code == 403


async def test_validation_of_create(api):
    c = await api.company("Paperclip Labs")
    r = await create(api, c["id"], type="bogus")
    assert r.status_code == 400 and r.json()["error"] == "Validation error"
    assert r.json()["details"][0]["path"] == ["type"]
    r = await api.client.post(f"/api/companies/{c['id']}/approvals", json={"type": "hire_agent"})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["payload"]
    assert (await create(api, c["id"], payload=[])).status_code == 400
    other = await api.company("Other Co")
    stranger = await api.agent(other["id"], "Ann")
    assert (await create(api, c["id"], requestedByAgentId=stranger["id"])).status_code == 422


async def test_idempotency_key_returns_the_existing_approval(api, db):
    c = await api.company("Paperclip Labs")
    first = await create(api, c["id"], idempotencyKey="k1")
    again = await create(api, c["id"], idempotencyKey="k1", payload={"different": True})
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.json()["payload"] == {"question": "ok?"}
    other = await api.company("Other Co")
    assert (await create(api, other["id"], idempotencyKey="k1")).json()["id"] != first.json()["id"]
    assert len(db.sql("SELECT * FROM approvals")) == 2


async def test_decisions_are_recorded_board_only_and_final(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    ap = (await create(api, c["id"])).json()
    headers = await api.agent_auth(a["id"])
    r = await api.client.post(f"/api/approvals/{ap['id']}/approve", json={}, headers=headers)
    assert r.status_code == 403 and r.json() == {"error": "Board access required"}
    r = await api.client.post(f"/api/approvals/{ap['id']}/approve", json={"decisionNote": "fine"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "approved" and body["decisionNote"] == "fine"
    assert body["decidedByUserId"] == "local-board" and body["decidedAt"] is not None
    for action in ("approve", "reject", "request-revision"):
        r = await api.client.post(f"/api/approvals/{ap['id']}/{action}", json={})
        assert r.status_code == 422, (action, r.text)
    assert (await api.client.post(f"/api/approvals/{ap['id']}/approve")).status_code == 400  # body required
    act = db.one("SELECT details FROM activity_log WHERE action = 'approval.approved'")
    assert act["details"] == {
        "type": "request_board_approval",
        "linkedIssueIds": [],
        "requestedByAgentId": None,
    }

    ap2 = (await create(api, c["id"])).json()
    r = await api.client.post(f"/api/approvals/{ap2['id']}/reject", json={"decisionNote": "no"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert db.sql("SELECT 1 FROM activity_log WHERE action = 'approval.rejected'")


async def test_revision_and_resubmit(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    headers = await api.agent_auth(a["id"])
    ap = (
        await create(api, c["id"], headers=headers, type="approve_ceo_strategy", payload={"plan": "v1"})
    ).json()
    r = await api.client.post(
        f"/api/approvals/{ap['id']}/request-revision", json={"decisionNote": "more detail"}
    )
    assert r.status_code == 200 and r.json()["status"] == "revision_requested"
    assert r.json()["decisionNote"] == "more detail"
    wake = db.one("SELECT * FROM agent_wakeup_requests WHERE agent_id = %s", a["id"])
    assert wake["reason"] == "approval_revision_requested"
    assert (
        wake["payload"]["approvalId"] == ap["id"]
        and wake["payload"]["approvalStatus"] == "revision_requested"
    )
    r = await api.client.post(
        f"/api/approvals/{ap['id']}/resubmit", json={"payload": {"plan": "v2"}}, headers=headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "pending" and body["payload"] == {"plan": "v2"} and body["decidedAt"] is None
    r = await api.client.post(f"/api/approvals/{ap['id']}/resubmit", json={})
    assert (
        r.status_code == 422 and r.json()["error"] == "Only revision requested approvals can be resubmitted"
    )
    r = await api.client.post(f"/api/approvals/{ap['id']}/approve", json={})
    assert r.status_code == 200
    statuses = [
        w["reason"]
        for w in db.sql(
            "SELECT reason FROM agent_wakeup_requests WHERE agent_id = %s ORDER BY requested_at, created_at",
            a["id"],
        )
    ]
    assert "approval_approved" in statuses


async def test_comments(api):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    ap = (await create(api, c["id"])).json()
    r = await api.client.post(f"/api/approvals/{ap['id']}/comments", json={"body": "hello"})
    assert r.status_code == 201
    assert r.json()["authorUserId"] == "local-board" and r.json()["authorAgentId"] is None
    r = await api.client.post(
        f"/api/approvals/{ap['id']}/comments",
        json={"body": "agent here"},
        headers=await api.agent_auth(a["id"]),
    )
    assert r.status_code == 201 and r.json()["authorAgentId"] == a["id"]
    assert (
        await api.client.post(f"/api/approvals/{ap['id']}/comments", json={"body": ""})
    ).status_code == 400
    listed = (await api.client.get(f"/api/approvals/{ap['id']}/comments")).json()
    assert [x["body"] for x in listed] == ["hello", "agent here"]


async def test_issue_links(api):
    c = await api.company("Paperclip Labs")
    r = await api.client.post(f"/api/companies/{c['id']}/issues", json={"title": "Task"})
    assert r.status_code == 201, r.text
    issue = r.json()
    ap = (await create(api, c["id"], issueIds=[issue["id"]])).json()
    linked = (await api.client.get(f"/api/approvals/{ap['id']}/issues")).json()
    assert [i["id"] for i in linked] == [issue["id"]] and linked[0]["identifier"] == issue["identifier"]
    ap2 = (await create(api, c["id"])).json()
    r = await api.client.post(f"/api/issues/{issue['identifier']}/approvals", json={"approvalId": ap2["id"]})
    assert r.status_code == 201 and {x["id"] for x in r.json()} == {ap["id"], ap2["id"]}
    r = await api.client.post(f"/api/issues/{issue['id']}/approvals", json={"approvalId": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json() == {"error": "Approval not found"}
    r = await api.client.delete(f"/api/issues/{issue['id']}/approvals/{ap2['id']}")
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert [x["id"] for x in (await api.client.get(f"/api/issues/{issue['id']}/approvals")).json()] == [
        ap["id"]
    ]
    assert (await api.client.get(f"/api/issues/{uuid.uuid4()}/approvals")).status_code == 404
    other = await api.company("Other Co")
    r = await create(api, other["id"], issueIds=[issue["id"]])
    assert r.status_code == 422


async def test_hire_approval_activates_pending_agent(api, db):
    """Conformance #29."""
    c = await api.company("Paperclip Labs", requireBoardApprovalForNewAgents=True)
    r = await api.client.post(
        f"/api/companies/{c['id']}/agent-hires",
        json={
            "name": "Carl",
            "adapterType": "process",
            "adapterConfig": {"command": "true"},
            "budgetMonthlyCents": 500,
        },
    )
    assert r.status_code == 201, r.text
    hired = r.json()
    assert hired["agent"]["status"] == "pending_approval"
    assert hired["approval"]["type"] == "hire_agent" and hired["approval"]["status"] == "pending"
    ap_id, agent_id = hired["approval"]["id"], hired["agent"]["id"]
    r = await api.client.post(f"/api/approvals/{ap_id}/approve", json={})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    agent = (await api.client.get(f"/api/agents/{agent_id}")).json()
    assert agent["status"] == "idle" and agent["budgetMonthlyCents"] == 500
    assert db.one("SELECT amount FROM budget_policies WHERE scope_id = %s", agent_id)["amount"] == 500
    r = await api.client.post(f"/api/approvals/{ap_id}/approve", json={})
    assert (
        r.status_code == 422
        and r.json()["error"] == "Only pending or revision requested approvals can be approved"
    )


async def test_hire_rejection_terminates_pending_agent(api, db):
    c = await api.company("Paperclip Labs", requireBoardApprovalForNewAgents=True)
    hired = (await api.client.post(f"/api/companies/{c['id']}/agent-hires", json={"name": "Dan"})).json()
    r = await api.client.post(f"/api/approvals/{hired['approval']['id']}/reject", json={"decisionNote": "no"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert db.one("SELECT status FROM agents WHERE id = %s", hired["agent"]["id"])["status"] == "terminated"


async def test_hire_approval_without_agent_creates_it_from_the_draft(api, db):
    c = await api.company("Paperclip Labs")
    ap = (
        await create(
            api,
            c["id"],
            type="hire_agent",
            payload={"name": "Bob", "role": "engineer", "budgetMonthlyCents": 300},
        )
    ).json()
    r = await api.client.post(f"/api/approvals/{ap['id']}/approve", json={})
    assert r.status_code == 200, r.text
    bob = db.one("SELECT * FROM agents WHERE name = 'Bob'")
    assert bob["status"] == "idle" and bob["role"] == "engineer" and bob["budget_monthly_cents"] == 300
    assert bob["adapter_type"] == "process"
    bad = (await create(api, c["id"], type="hire_agent", payload={"role": "engineer"})).json()
    r = await api.client.post(f"/api/approvals/{bad['id']}/approve", json={})
    assert r.status_code == 422
    assert db.one("SELECT status FROM approvals WHERE id = %s", bad["id"])["status"] == "pending"


async def test_decision_wakes_requester_or_records_why_not(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    headers = await api.agent_auth(a["id"])
    r = await api.client.post(f"/api/companies/{c['id']}/issues", json={"title": "Task"})
    issue = r.json()
    ap = (await create(api, c["id"], headers=headers, issueIds=[issue["id"]])).json()
    assert (await api.client.post(f"/api/approvals/{ap['id']}/approve", json={})).status_code == 200
    wake = db.one("SELECT * FROM agent_wakeup_requests WHERE agent_id = %s", a["id"])
    assert wake["reason"] == "approval_approved" and wake["source"] == "automation"
    assert wake["payload"] == {
        "approvalId": ap["id"],
        "approvalStatus": "approved",
        "issueIds": [issue["id"]],
    }

    ap2 = (await create(api, c["id"], headers=headers)).json()
    assert (await api.client.post(f"/api/agents/{a['id']}/pause")).status_code == 200
    assert (await api.client.post(f"/api/approvals/{ap2['id']}/reject", json={})).status_code == 200
    assert db.one("SELECT details FROM activity_log WHERE action = 'approval.requester_wakeup_failed'")


async def test_parallel_decisions_have_one_winner(api, db, live_server):
    import asyncio

    import httpx

    c = await api.company("Paperclip Labs", requireBoardApprovalForNewAgents=True)
    hired = (await api.client.post(f"/api/companies/{c['id']}/agent-hires", json={"name": "Zed"})).json()
    url = f"/api/approvals/{hired['approval']['id']}"
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        responses = await asyncio.gather(
            *[http.post(f"{url}/{'approve' if i % 2 else 'reject'}", json={}) for i in range(16)]
        )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [422] * 15
    winner = next(r.json() for r in responses if r.status_code == 200)
    agent_status = db.one("SELECT status FROM agents WHERE id = %s", hired["agent"]["id"])["status"]
    assert agent_status == ("idle" if winner["status"] == "approved" else "terminated")
    decided = db.sql(
        "SELECT action FROM activity_log WHERE action IN ('approval.approved', 'approval.rejected')"
    )
    assert len(decided) == 1

"""Approval pages: pending / all lists, detail, decisions with a note, comments, CSRF."""

from __future__ import annotations

from tests.web.conftest import csrf_of


async def _hire_needing_approval(client, company) -> tuple[dict, dict]:
    await client.patch(f"/api/companies/{company['id']}", json={"requireBoardApprovalForNewAgents": True})
    response = await client.post(
        f"/api/companies/{company['id']}/agent-hires",
        json={"name": "Newbie", "role": "engineer", "budgetMonthlyCents": 500},
    )
    data = response.json()
    return data["agent"], data["approval"]


async def test_pending_list_shows_the_request_and_all_redirects(client, company):
    agent, approval = await _hire_needing_approval(client, company)
    page = await client.get("/ACM/approvals/pending")
    assert page.status_code == 200
    assert f"/ACM/approvals/{approval['id']}" in page.text and "Newbie" in page.text
    assert (await client.get("/ACM/approvals")).headers["location"] == "/ACM/approvals/pending"
    assert approval["id"] in (await client.get("/ACM/approvals/all")).text


async def test_empty_pending_list(client, company):
    page = await client.get("/ACM/approvals/pending")
    assert "Nothing waits for you" in page.text


async def test_approve_hire_activates_the_agent(client, company):
    agent, approval = await _hire_needing_approval(client, company)
    detail = await client.get(f"/ACM/approvals/{approval['id']}")
    assert detail.status_code == 200 and "Hire an agent" in detail.text and "$5.00" in detail.text
    token = await csrf_of(client, f"/ACM/approvals/{approval['id']}")
    response = await client.post(
        f"/ACM/approvals/{approval['id']}/decide",
        data={"_csrf": token, "decision": "approve", "note": "Welcome"},
    )
    assert response.status_code == 303, response.text
    assert (await client.get(f"/api/approvals/{approval['id']}")).json()["status"] == "approved"
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "idle"
    actions = [e["action"] for e in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert "approval.approved" in actions
    detail = await client.get(f"/ACM/approvals/{approval['id']}")
    assert "Welcome" in detail.text and 'value="approve"' not in detail.text


async def test_request_revision_needs_a_note_and_reject_terminates(client, company):
    agent, approval = await _hire_needing_approval(client, company)
    token = await csrf_of(client, f"/ACM/approvals/{approval['id']}")
    url = f"/ACM/approvals/{approval['id']}/decide"
    refused = await client.post(
        url, data={"_csrf": token, "decision": "request-revision"}, headers={"X-Fragment": "1"}
    )
    assert refused.status_code == 400 and "Say what should change" in refused.text
    ok = await client.post(
        url, data={"_csrf": token, "decision": "request-revision", "note": "Smaller budget"}
    )
    assert ok.status_code == 303
    assert (await client.get(f"/api/approvals/{approval['id']}")).json()["status"] == "revision_requested"
    await client.post(url, data={"_csrf": token, "decision": "reject", "note": "No"})
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "terminated"


async def test_comment_is_added_and_rendered_safely(client, company):
    _agent, approval = await _hire_needing_approval(client, company)
    token = await csrf_of(client, f"/ACM/approvals/{approval['id']}")
    response = await client.post(
        f"/ACM/approvals/{approval['id']}/comments",
        data={"_csrf": token, "body": "**ok** <script>alert(1)</script>"},
    )
    assert response.status_code == 303
    detail = await client.get(f"/ACM/approvals/{approval['id']}")
    assert "<strong>ok</strong>" in detail.text and "<script>alert" not in detail.text
    comments = (await client.get(f"/api/approvals/{approval['id']}/comments")).json()
    assert len(comments) == 1


async def test_decision_without_csrf_is_refused(client, company):
    _agent, approval = await _hire_needing_approval(client, company)
    await csrf_of(client, f"/ACM/approvals/{approval['id']}")
    response = await client.post(f"/ACM/approvals/{approval['id']}/decide", data={"decision": "approve"})
    assert response.status_code == 403
    assert (await client.get(f"/api/approvals/{approval['id']}")).json()["status"] == "pending"


async def test_unknown_approval_is_404(client, company):
    assert (await client.get("/ACM/approvals/00000000-0000-0000-0000-000000000000")).status_code == 404
    assert (await client.get("/ACM/approvals/nope")).status_code == 404


async def test_budget_override_approval_explains_the_incident(client, company, agent):
    from datetime import UTC, datetime

    await client.patch(f"/api/agents/{agent['id']}/budgets", json={"budgetMonthlyCents": 100})
    await client.post(
        f"/api/companies/{company['id']}/cost-events",
        json={
            "agentId": agent["id"],
            "provider": "p",
            "model": "m",
            "costCents": 150,
            "occurredAt": datetime.now(UTC).isoformat(),
        },
    )
    approvals = (await client.get(f"/api/companies/{company['id']}/approvals")).json()
    override = next(a for a in approvals if a["type"] == "budget_override_required")
    page = await client.get(f"/ACM/approvals/{override['id']}")
    assert page.status_code == 200 and "Budget override" in page.text
    assert "$1.50 of $1.00" in page.text and 'href="/ACM/costs#incidents"' in page.text

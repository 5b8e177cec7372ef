from __future__ import annotations


async def test_cost_event_is_recorded_with_activity_and_spend(gov):
    c = await gov.company()
    a = await gov.agent(c["id"])
    r = await gov.cost(c["id"], a["id"], 30)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["costCents"] == 30 and body["biller"] == "anthropic" and body["billingType"] == "unknown"
    assert body["costStatus"] == "reported" and body["agentId"] == a["id"]
    assert gov.one("SELECT spent_monthly_cents FROM agents WHERE id = %s", a["id"])["spent_monthly_cents"] == 30
    assert gov.one("SELECT spent_monthly_cents FROM companies WHERE id = %s", c["id"])["spent_monthly_cents"] == 30
    act = gov.one("SELECT * FROM activity_log WHERE action = 'cost.reported'")
    assert act["entity_id"] == body["id"] and act["details"] == {"model": "claude-sonnet", "costCents": 30}

"""Finance events and the spend reports beside cost events (by biller, window spend, finance summary /
by biller / by kind), through HTTP against the real PostgreSQL; figures checked against the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import now_iso


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def _event(client, cid: str, **fields):
    body = {
        "eventKind": "platform_fee",
        "biller": "openrouter",
        "amountCents": 100,
        "occurredAt": now_iso(),
        **fields,
    }
    return await client.post(f"/api/companies/{cid}/finance-events", json=body)


async def test_finance_event_create_has_the_originals_shape_and_writes_activity(client, api, db):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, "Ann")
    r = await _event(
        client,
        cid,
        eventKind="inference_charge",
        provider="anthropic",
        model="claude",
        quantity=3,
        unit="request",
        amountCents=250,
        estimated=True,
        agentId=agent["id"],
    )
    assert r.status_code == 201, r.text
    event = r.json()
    assert event["direction"] == "debit" and event["currency"] == "USD" and event["quantity"] == 3
    assert event["agentId"] == agent["id"] and event["costEventId"] is None and event["metadataJson"] is None
    assert set(event) >= {"executionAdapterType", "pricingTier", "region", "externalInvoiceId", "description"}
    activity = db.one(
        "SELECT action, entity_type, details FROM activity_log WHERE entity_id = %s", event["id"]
    )
    assert activity["action"] == "finance_event.reported" and activity["entity_type"] == "finance_event"
    assert activity["details"] == {
        "biller": "openrouter",
        "direction": "debit",
        "eventKind": "inference_charge",
        "amountCents": 250,
    }


async def test_finance_event_bad_input_names_the_field_and_writes_nothing(client, api, db):
    cid = (await api.company("Paperclip Labs"))["id"]
    r = await _event(
        client,
        cid,
        eventKind="lunch",
        direction="sideways",
        amountCents=-5,
        unit="zz",
        estimated="y",
        metadataJson=[],
        occurredAt="bad",
    )
    assert r.status_code == 400
    fields = {tuple(d["path"])[-1] for d in r.json()["details"]}
    assert {
        "eventKind",
        "direction",
        "amountCents",
        "unit",
        "estimated",
        "metadataJson",
        "occurredAt",
    } <= fields
    r = await _event(client, cid, agentId="00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["error"] == "Agent not found"
    other = await api.company("Other")
    stranger = await api.agent(other["id"], "Ann")
    r = await _event(client, cid, agentId=stranger["id"])
    assert r.status_code == 422 and r.json()["error"] == "Agent does not belong to company"
    assert db.sql("SELECT id FROM finance_events") == []


async def test_finance_events_are_board_only_to_write_and_company_scoped_to_read(client, api):
    mine, theirs = await api.company("Mine"), await api.company("Theirs")
    agent = await api.agent(mine["id"], "Ann")
    headers = await api.agent_auth(agent["id"])
    r = await client.post(
        f"/api/companies/{mine['id']}/finance-events",
        headers=headers,
        json={"eventKind": "platform_fee", "biller": "x", "amountCents": 5, "occurredAt": now_iso()},
    )
    assert r.status_code == 403 and r.json()["error"] == "Board access required"
    assert (
        await client.get(f"/api/companies/{mine['id']}/costs/finance-events", headers=headers)
    ).status_code == 200
    for path in (
        "finance-events",
        "finance-summary",
        "finance-by-biller",
        "finance-by-kind",
        "by-biller",
        "window-spend",
        "quota-windows",
    ):
        r = await client.get(f"/api/companies/{theirs['id']}/costs/{path}", headers=headers)
        assert r.status_code == 403, path


async def test_finance_summary_by_biller_and_by_kind_add_up(client, api):
    cid = (await api.company("Paperclip Labs"))["id"]
    now = datetime.now(UTC)
    assert (
        await _event(client, cid, eventKind="credit_purchase", direction="credit", amountCents=5000)
    ).status_code == 201
    assert (
        await _event(client, cid, eventKind="inference_charge", amountCents=250, estimated=True)
    ).status_code == 201
    assert (await _event(client, cid, biller="aws", amountCents=40)).status_code == 201
    old = _iso(now - timedelta(days=400))
    assert (await _event(client, cid, biller="aws", amountCents=7, occurredAt=old)).status_code == 201
    base = f"/api/companies/{cid}/costs"
    summary = (await client.get(f"{base}/finance-summary")).json()
    assert summary == {
        "companyId": cid,
        "debitCents": 290,
        "creditCents": 5000,
        "netCents": -4710,
        "estimatedDebitCents": 250,
        "eventCount": 3,
    }
    by_biller = {b["biller"]: b for b in (await client.get(f"{base}/finance-by-biller")).json()}
    assert by_biller["openrouter"] == {
        "biller": "openrouter",
        "debitCents": 250,
        "creditCents": 5000,
        "estimatedDebitCents": 250,
        "eventCount": 2,
        "kindCount": 2,
        "netCents": -4750,
    }
    assert by_biller["aws"]["debitCents"] == 40
    kinds = {k["eventKind"]: k for k in (await client.get(f"{base}/finance-by-kind")).json()}
    assert kinds["platform_fee"]["billerCount"] == 1 and kinds["credit_purchase"]["creditCents"] == 5000
    everything = (await client.get(f"{base}/finance-summary?from={old[:10]}")).json()
    assert everything["eventCount"] == 4
    events = (await client.get(f"{base}/finance-events?limit=2")).json()
    assert len(events) == 2
    assert (await client.get(f"{base}/finance-summary?from=bad")).status_code == 400


async def test_by_biller_and_window_spend_from_cost_events(client, api):
    cid = (await api.company("Paperclip Labs"))["id"]
    agent = await api.agent(cid, "Ann")
    now = datetime.now(UTC)
    assert (
        await api.cost(
            cid,
            agent["id"],
            11,
            provider="openai",
            biller="openrouter",
            model="gpt",
            billingType="subscription_included",
            inputTokens=7,
            outputTokens=3,
        )
    ).status_code == 201
    assert (
        await api.cost(
            cid,
            agent["id"],
            123,
            provider="anthropic",
            biller="anthropic",
            occurredAt=_iso(now - timedelta(hours=10)),
        )
    ).status_code == 201
    base = f"/api/companies/{cid}/costs"
    billers = (await client.get(f"{base}/by-biller?from={_iso(now - timedelta(days=1))}")).json()
    assert [b["biller"] for b in billers] == ["anthropic", "openrouter"]
    assert billers[1]["subscriptionInputTokens"] == 7 and billers[1]["providerCount"] == 1
    windows = [
        (w["window"], w["provider"], w["costCents"])
        for w in (await client.get(f"{base}/window-spend")).json()
    ]
    assert windows == [
        ("5h", "openai", 11),
        ("24h", "anthropic", 123),
        ("24h", "openai", 11),
        ("7d", "anthropic", 123),
        ("7d", "openai", 11),
    ]
    assert (await client.get(f"{base}/quota-windows")).json() == []

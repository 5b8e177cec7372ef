"""Malformed JSON, wrong types, huge strings, NUL bytes and malformed ids on every approvals / costs /
budgets / dashboard route: always a 4xx answer with an `error`, never a 500."""

from __future__ import annotations

import json
import uuid

FIELDS = [
    "agentId",
    "issueId",
    "projectId",
    "provider",
    "model",
    "biller",
    "billingType",
    "billingCode",
    "costCents",
    "inputTokens",
    "occurredAt",
    "scopeType",
    "scopeId",
    "amount",
    "warnPercent",
    "windowKind",
    "hardStopEnabled",
    "budgetMonthlyCents",
    "action",
    "decisionNote",
    "type",
    "payload",
    "issueIds",
    "requestedByAgentId",
    "idempotencyKey",
    "body",
    "approvalId",
]
HUGE = "x" * 300_000
BAD_IDS = ["not-a-uuid", "x" * 5000, str(uuid.uuid4()), "%00", "-1", "ACM-999999999999999999999"]


def bodies(agent_id: str, approval_id: str) -> list[bytes]:
    out = [
        b"{not json",
        b"[]",
        b'"str"',
        b"null",
        b"123",
        b"",
        b'{"a":',
        b"\xff\xfe",
        b'{"payload":' + b"[" * 500 + b"]" * 500 + b"}",
    ]
    for value in (
        HUGE,
        {"nested": [1, {"deep": True}]},
        -1e308,
        2**70,
        True,
        None,
        [],
        "not-a-uuid",
        -1,
        1.5,
        "nul\u0000byte",
        {"k": "nul\u0000"},
    ):
        out.append(json.dumps({f: value for f in FIELDS}).encode())
    valid = {
        "agentId": agent_id,
        "provider": "p",
        "model": "m",
        "costCents": 1,
        "occurredAt": "2026-01-01T00:00:00Z",
        "type": "request_board_approval",
        "action": "keep_paused",
        "approvalId": approval_id,
        "scopeType": "agent",
        "scopeId": agent_id,
        "amount": 5,
        "budgetMonthlyCents": 5,
    }
    for field, value in (
        ("payload", {"k": HUGE}),
        ("payload", {"k\u0000": 1}),
        ("provider", "a\u0000b"),
        ("decisionNote", HUGE),
        ("body", "\u0000"),
        ("idempotencyKey", "k\u0000"),
        ("issueIds", [str(uuid.uuid4())] * 500),
        ("occurredAt", "2026-13-45T99:99:99Z"),
        ("amount", 2**31),
        ("scopeId", str(uuid.uuid4())),
    ):
        out.append(json.dumps({**valid, field: value}).encode())
    return out


async def test_no_route_answers_500_to_bad_input(api):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    issue = (await api.client.post(f"/api/companies/{c['id']}/issues", json={"title": "t"})).json()
    ap = (
        await api.client.post(
            f"/api/companies/{c['id']}/approvals", json={"type": "request_board_approval", "payload": {}}
        )
    ).json()
    cid, aid, apid, iid = c["id"], a["id"], ap["id"], issue["id"]
    templates = [
        ("POST", "/api/companies/{c}/cost-events", {}),
        ("GET", "/api/companies/{c}/costs/summary?from=" + HUGE[:100] + "&to=2026-99-99", {}),
        ("GET", "/api/companies/{c}/costs/by-agent?from=2026-01-01T25:00:00Z", {}),
        ("GET", "/api/companies/{c}/costs/by-agent-model?to=%00", {}),
        ("GET", "/api/companies/{c}/costs/by-provider?from=" + "9" * 64, {}),
        ("GET", "/api/companies/{c}/costs/by-project?from=" + "9" * 65, {}),
        ("GET", "/api/companies/{c}/budgets/overview", {}),
        ("POST", "/api/companies/{c}/budgets/policies", {}),
        ("PATCH", "/api/companies/{c}/budgets", {}),
        ("PATCH", "/api/agents/{x}/budgets", {"x": aid}),
        ("POST", "/api/companies/{c}/budget-incidents/{x}/resolve", {"x": str(uuid.uuid4())}),
        ("GET", "/api/companies/{c}/approvals?status=%00" + "s" * 60, {}),
        ("POST", "/api/companies/{c}/approvals", {}),
        ("GET", "/api/approvals/{x}", {"x": apid}),
        ("POST", "/api/approvals/{x}/approve", {"x": apid}),
        ("POST", "/api/approvals/{x}/reject", {"x": apid}),
        ("POST", "/api/approvals/{x}/request-revision", {"x": apid}),
        ("POST", "/api/approvals/{x}/resubmit", {"x": apid}),
        ("GET", "/api/approvals/{x}/comments", {"x": apid}),
        ("POST", "/api/approvals/{x}/comments", {"x": apid}),
        ("GET", "/api/approvals/{x}/issues", {"x": apid}),
        ("GET", "/api/issues/{x}/approvals", {"x": iid}),
        ("POST", "/api/issues/{x}/approvals", {"x": iid}),
        ("DELETE", "/api/issues/{x}/approvals/{y}", {"x": iid, "y": apid}),
        ("GET", "/api/companies/{c}/dashboard", {}),
        ("GET", "/api/issues/{x}/cost-summary", {"x": iid}),
    ]
    all_bodies = bodies(aid, apid)
    failures, seen = [], 0

    async def hit(method: str, url: str, content: bytes | None) -> None:
        nonlocal seen
        r = await api.client.request(
            method, url, content=content, headers={"content-type": "application/json"}
        )
        seen += 1
        if r.status_code >= 500 or (r.status_code >= 400 and "error" not in r.json()):
            failures.append((method, url[:100], (content or b"")[:60], r.status_code, r.text[:200]))

    for method, template, valid in templates:
        ids = {"c": cid, **valid}
        with_body = method in ("POST", "PATCH")
        for content in all_bodies if with_body else [None]:  # well-formed ids, every bad body
            await hit(method, template.format(**ids), content)
        for key in ids:  # each path id malformed in turn
            for bad in BAD_IDS:
                url = template.format(**{**ids, key: bad})
                for content in [all_bodies[-1], b"{}"] if with_body else [None]:
                    await hit(method, url, content)
    assert seen > 500
    assert failures == []

"""Malformed JSON, wrong types, huge strings and malformed ids on every issue route: never a 500."""

from __future__ import annotations

import pytest

HUGE = "x" * 1_100_000
BAD_IDS = [
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "%20",
    "PAP-0",
    "a" * 300,
    "1;DROP TABLE issues",
]


def routes(cid: str, iid: str, comment_id: str, label_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", f"/api/companies/{cid}/issues"),
        ("POST", f"/api/companies/{cid}/issues"),
        ("GET", f"/api/issues/{iid}"),
        ("PATCH", f"/api/issues/{iid}"),
        ("POST", f"/api/issues/{iid}/children"),
        ("GET", f"/api/issues/{iid}/activity"),
        ("POST", f"/api/issues/{iid}/checkout"),
        ("POST", f"/api/issues/{iid}/release"),
        ("GET", f"/api/issues/{iid}/comments"),
        ("POST", f"/api/issues/{iid}/comments"),
        ("GET", f"/api/issues/{iid}/comments/{comment_id}"),
        ("GET", f"/api/companies/{cid}/labels"),
        ("POST", f"/api/companies/{cid}/labels"),
        ("DELETE", f"/api/issues/{iid}/comments/{comment_id}"),
        ("DELETE", f"/api/labels/{label_id}"),
        ("DELETE", f"/api/issues/{iid}"),
    ]


BODIES = [
    b"{not json",
    b"[]",
    b"null",
    b'"a string"',
    b'{"title": 5, "body": 7, "name": [], "color": 1, "agentId": 3, "expectedStatuses": "todo"}',
    b'{"title": null, "status": "bogus", "priority": 9, "assigneeAgentId": "nope", "labelIds": "x"}',
    b'{"parentId": "nope", "projectId": 12, "goalId": {}, "blockedByIssueIds": ["nope"], "comment": 5}',
    b'{"agentId": "00000000-0000-0000-0000-000000000000", "expectedStatuses": ["nope"]}',
    b'{"title": "' + HUGE.encode() + b'", "body": "' + HUGE.encode() + b'", "name": "' + b"n" * 100 + b'"}',
    b'{"description": "' + HUGE.encode() + b'", "comment": "' + HUGE.encode() + b'"}',
]


async def test_no_route_answers_500_to_bad_bodies_or_ids(client, api, team):
    issue = await api.issue(team.cid, title="Target")
    comment = (await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "hi"})).json()
    label = (
        await client.post(f"/api/companies/{team.cid}/labels", json={"name": "bug", "color": "#ff0000"})
    ).json()
    headers = {"content-type": "application/json"}
    for method, path in routes(team.cid, issue["id"], comment["id"], label["id"]):
        if method in ("POST", "PATCH"):
            for body in BODIES:
                for hdrs in (headers, {**headers, **team.h1()}):
                    r = await client.request(method, path, content=body, headers=hdrs)
                    assert r.status_code < 500, (method, path, body[:80], r.status_code, r.text[:300])
                    if r.status_code >= 400:
                        assert "error" in r.json()
    for bad in BAD_IDS:
        for method, path in routes(bad, bad, bad, bad):
            r = await client.request(
                method,
                path,
                json={
                    "title": "t",
                    "body": "b",
                    "agentId": team.a1["id"],
                    "expectedStatuses": ["todo"],
                    "name": "n",
                    "color": "#000000",
                },
            )
            assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
            assert r.status_code in (400, 404, 422), (method, path, r.status_code, r.text[:300])
    # nothing above damaged the target
    assert (await client.get(f"/api/issues/{issue['id']}")).status_code == 200


async def test_validation_errors_name_the_field(client, team):
    r = await client.post(f"/api/companies/{team.cid}/issues", json={})
    assert r.status_code == 400 and r.json()["error"] == "Validation error"
    assert r.json()["details"][0]["path"] == ["title"]
    r = await client.post(f"/api/companies/{team.cid}/issues", json={"title": "x", "status": "bogus"})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["status"]
    r = await client.post(f"/api/companies/{team.cid}/issues", json={"title": "x" * 501})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["title"]
    r = await client.post(f"/api/companies/{team.cid}/issues", json={"title": "x", "assigneeAgentId": "nope"})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["assigneeAgentId"]
    r = await client.post(
        f"/api/companies/{team.cid}/issues", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["error"] == "Validation error"


@pytest.mark.parametrize(
    "query,message",
    [
        ("limit=0", "limit must be a positive integer up to 1000"),
        ("limit=1001", "limit must be a positive integer up to 1000"),
        ("limit=abc", "limit must be a positive integer up to 1000"),
        ("limit=99999999999999999999", "limit must be a positive integer up to 1000"),
        ("offset=-1", "offset must be a non-negative integer"),
        ("offset=abc", "offset must be a non-negative integer"),
    ],
)
async def test_absurd_pagination_is_400(client, team, query, message):
    r = await client.get(f"/api/companies/{team.cid}/issues?{query}")
    assert r.status_code == 400 and r.json() == {"error": message}


async def test_malformed_filter_ids_are_422(client, team):
    for name in ("assigneeAgentId", "projectId", "goalId", "parentId", "labelId"):
        r = await client.get(f"/api/companies/{team.cid}/issues?{name}=nope")
        assert r.status_code == 422 and name in r.json()["error"]


async def test_oversized_request_body_is_413(client, team):
    r = await client.post(
        f"/api/companies/{team.cid}/issues",
        content=b'{"title":"' + b"x" * (11 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413

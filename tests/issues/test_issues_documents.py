"""Issue documents: create, optimistic updates (baseRevisionId), revisions, restore, locks, delete,
the issue detail's planDocument/documentSummaries, company scoping and racing writers."""

from __future__ import annotations

import asyncio

import httpx
import psycopg
import pytest


async def _issue(api, team) -> dict:
    return await api.issue(team.cid, title="Write the plan")


async def test_put_creates_then_updates_with_the_base_revision(api, team, client):
    issue = await _issue(api, team)
    url = f"/api/issues/{issue['id']}/documents/plan"
    created = await client.put(url, json={"title": "Plan", "format": "markdown", "body": "# Plan\nstep 1"})
    assert created.status_code == 201, created.text
    doc = created.json()
    assert (doc["key"], doc["title"], doc["body"], doc["latestRevisionNumber"], doc["createdByUserId"]) == (
        "plan",
        "Plan",
        "# Plan\nstep 1",
        1,
        "local-board",
    )
    assert doc["issueId"] == issue["id"] and doc["lockedAt"] is None

    no_base = await client.put(url, json={"format": "markdown", "body": "v2"})
    assert no_base.status_code == 409 and "requires baseRevisionId" in no_base.json()["error"]
    assert no_base.json()["details"]["currentRevisionId"] == doc["latestRevisionId"]

    updated = await client.put(
        url, json={"body": "v2", "baseRevisionId": doc["latestRevisionId"], "changeSummary": "second"}
    )
    assert (
        updated.status_code == 200
        and updated.json()["body"] == "v2"
        and updated.json()["latestRevisionNumber"] == 2
    )

    stale = await client.put(url, json={"body": "v3", "baseRevisionId": doc["latestRevisionId"]})
    assert stale.status_code == 409 and stale.json()["error"] == "Document was updated by someone else"
    assert (await client.get(url)).json()["body"] == "v2"  # the refused write changed nothing

    revisions = (await client.get(f"{url}/revisions")).json()
    assert [(r["revisionNumber"], r["body"], r["changeSummary"]) for r in revisions] == [
        (2, "v2", "second"),
        (1, "# Plan\nstep 1", None),
    ]

    listed = (await client.get(f"/api/issues/{issue['id']}/documents")).json()
    assert [d["key"] for d in listed] == ["plan"]
    detail = (await client.get(f"/api/issues/{issue['identifier']}")).json()
    assert detail["planDocument"]["body"] == "v2"
    assert [s["key"] for s in detail["documentSummaries"]] == ["plan"] and "body" not in detail[
        "documentSummaries"
    ][0]

    actions = [a["action"] for a in (await client.get(f"/api/issues/{issue['id']}/activity")).json()]
    assert actions.count("issue.document_created") == 1 and actions.count("issue.document_updated") == 1


async def test_restore_adds_a_revision_with_the_old_body(api, team, client):
    issue = await _issue(api, team)
    url = f"/api/issues/{issue['id']}/documents/notes"
    first = (await client.put(url, json={"title": "Notes", "body": "one"})).json()
    second = (
        await client.put(
            url, json={"title": "Notes 2", "body": "two", "baseRevisionId": first["latestRevisionId"]}
        )
    ).json()
    restored = await client.post(f"{url}/revisions/{first['latestRevisionId']}/restore", json={})
    assert restored.status_code == 200, restored.text
    assert (restored.json()["body"], restored.json()["title"], restored.json()["latestRevisionNumber"]) == (
        "one",
        "Notes",
        3,
    )
    assert restored.json()["latestRevisionId"] not in (first["latestRevisionId"], second["latestRevisionId"])
    missing = await client.post(f"{url}/revisions/00000000-0000-0000-0000-000000000000/restore", json={})
    assert missing.status_code == 404


async def test_locked_document_refuses_writes_until_unlocked(api, team, client):
    issue = await _issue(api, team)
    url = f"/api/issues/{issue['id']}/documents/plan"
    doc = (await client.put(url, json={"body": "v1"})).json()
    locked = await client.post(f"{url}/lock", json={})
    assert (
        locked.status_code == 200
        and locked.json()["lockedAt"]
        and locked.json()["lockedByUserId"] == "local-board"
    )
    refused = await client.put(url, json={"body": "v2", "baseRevisionId": doc["latestRevisionId"]})
    assert refused.status_code == 409 and refused.json()["error"] == "Document is locked"
    agent_unlock = await client.post(f"{url}/unlock", json={}, headers=team.h1())
    assert agent_unlock.status_code == 403
    assert (await client.post(f"{url}/unlock", json={})).json()["lockedAt"] is None
    assert (
        await client.put(url, json={"body": "v2", "baseRevisionId": doc["latestRevisionId"]})
    ).status_code == 200


async def test_agents_write_documents_in_their_company_only(api, team, client):
    issue = await _issue(api, team)
    url = f"/api/issues/{issue['id']}/documents/plan"
    by_agent = await client.put(url, json={"body": "agent plan"}, headers=team.h1())
    assert by_agent.status_code == 201, by_agent.text
    assert by_agent.json()["createdByAgentId"] == team.a1["id"] and by_agent.json()["createdByUserId"] is None
    assert (await client.get(url, headers=team.hx())).status_code == 403
    assert (await client.put(url, json={"body": "x"}, headers=team.hx())).status_code == 403
    assert (await client.delete(url, headers=team.h1())).status_code == 403  # delete is the board's
    assert (await client.delete(url)).json() == {"ok": True}
    assert (await client.get(url)).status_code == 404


@pytest.mark.parametrize("key", ["Plan", "with space", "-lead", "x" * 65, "semi;colon"])
async def test_bad_keys_are_400(api, team, client, key):
    issue = await _issue(api, team)
    response = await client.put(f"/api/issues/{issue['id']}/documents/{key}", json={"body": "x"})
    assert response.status_code == 400 and response.json()["error"] == "Invalid document key"


async def test_bad_bodies_are_400_and_write_nothing(api, team, client):
    issue = await _issue(api, team)
    url = f"/api/issues/{issue['id']}/documents/plan"
    for payload in ({"body": "x", "format": "html"}, {"title": "no body"}, {"body": "x" * 1_000_001}):
        assert (await client.put(url, json=payload)).status_code == 400
    assert (await client.get(f"/api/issues/{issue['id']}/documents")).json() == []
    assert (await client.get(f"/api/issues/{issue['id']}/documents/unknown")).status_code == 404
    assert (await client.get("/api/issues/00000000-0000-0000-0000-000000000000/documents")).status_code == 404


async def test_deleting_the_issue_deletes_its_documents(api, team, client, database_url):
    issue = await _issue(api, team)
    await client.put(f"/api/issues/{issue['id']}/documents/plan", json={"body": "v1"})
    assert (await client.delete(f"/api/issues/{issue['id']}")).status_code == 200
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM document_revisions").fetchone() == (0,)


async def test_racing_writers_on_one_base_revision_one_wins(api, team, live_server):
    """Ten writers send the same baseRevisionId at once over real connections: exactly one update lands."""
    issue = await _issue(api, team)
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        url = f"/api/issues/{issue['id']}/documents/plan"
        base = (await http.put(url, json={"body": "v1"})).json()["latestRevisionId"]
        answers = await asyncio.gather(
            *(http.put(url, json={"body": f"writer {n}", "baseRevisionId": base}) for n in range(10))
        )
        assert sorted(a.status_code for a in answers) == [200] + [409] * 9
        winner = next(a.json()["body"] for a in answers if a.status_code == 200)
        assert (await http.get(url)).json()["body"] == winner
        assert len((await http.get(f"{url}/revisions")).json()) == 2
        racers = await asyncio.gather(
            *(
                http.put(f"/api/issues/{issue['id']}/documents/design", json={"body": f"d{n}"})
                for n in range(6)
            )
        )
        assert sorted(a.status_code for a in racers) == [201] + [409] * 5

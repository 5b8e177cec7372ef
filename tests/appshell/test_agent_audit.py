"""GET /api/companies/{id}/audit/agent-actions: agents' activity, newest first, keyset pages, through
HTTP against the real PostgreSQL."""

from __future__ import annotations


async def test_agent_actions_pages_newest_first_with_issue_entities(client, api, db):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, "Ann")
    headers = await api.agent_auth(agent["id"])
    issue = (await client.post(f"/api/companies/{cid}/issues", json={"title": "Audit me"})).json()
    for n in range(3):
        r = await client.post(
            f"/api/issues/{issue['id']}/comments", json={"body": f"note {n}"}, headers=headers
        )
        assert r.status_code == 201, r.text
    r = await client.get(f"/api/companies/{cid}/audit/agent-actions?limit=2")
    assert r.status_code == 200
    first = r.json()
    assert first["accessTier"] == "full" and len(first["items"]) == 2 and "nextCursor" in first
    assert all(i["actorType"] == "agent" and i["agentId"] == agent["id"] for i in first["items"])
    second = (
        await client.get(f"/api/companies/{cid}/audit/agent-actions?limit=2&cursor={first['nextCursor']}")
    ).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    agent_rows = db.sql(
        "SELECT id FROM activity_log WHERE company_id = %s AND actor_type = 'agent' "
        "ORDER BY created_at DESC, id DESC",
        cid,
    )
    assert ids == [str(r["id"]) for r in agent_rows][: len(ids)] and len(set(ids)) == len(ids)
    on_issue = [i for i in first["items"] + second["items"] if i["entityType"] == "issue"]
    assert on_issue and on_issue[0]["entity"]["issue"] == {
        "id": issue["id"],
        "identifier": issue["identifier"],
        "title": "Audit me",
    }


async def test_agent_actions_bad_input_and_access(client, api):
    mine, theirs = await api.company("Mine"), await api.company("Theirs")
    base = f"/api/companies/{mine['id']}/audit/agent-actions"
    assert (await client.get(f"{base}?cursor=nonsense")).json()["error"] == "Invalid audit cursor"
    r = await client.get(f"{base}?limit=0")
    assert r.status_code == 400 and r.json()["error"] == "Invalid agent action audit query"
    assert (await client.get(f"{base}?limit=201")).status_code == 400
    assert (await client.get(f"{base}?actorScope=board")).status_code == 400
    headers = await api.agent_auth((await api.agent(mine["id"], "Ann"))["id"])
    r = await client.get(f"/api/companies/{theirs['id']}/audit/agent-actions", headers=headers)
    assert r.status_code == 403


async def test_actor_scope_all_includes_the_board(client, api):
    cid = (await api.company("Paperclip Labs"))["id"]
    await client.post(f"/api/companies/{cid}/issues", json={"title": "By the board"})
    base = f"/api/companies/{cid}/audit/agent-actions"
    assert (await client.get(base)).json()["items"] == []
    everyone = (await client.get(f"{base}?actorScope=all")).json()["items"]
    assert "issue.created" in {i["action"] for i in everyone} and {i["actorType"] for i in everyone} == {
        "user"
    }

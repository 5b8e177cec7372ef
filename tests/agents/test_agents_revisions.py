from __future__ import annotations

import uuid

import sqlalchemy as sa

from paperclip.db.models import Agent


async def test_patch_writes_revision_and_rollback_restores(client, api, app):
    cid = (await api.company())["id"]
    a = await api.agent(cid, "Rolly", adapterConfig={"command": "a", "env": {"SECRET_TOKEN": "s3cret"}})
    aid = a["id"]
    r = await client.patch(
        f"/api/agents/{aid}",
        json={"adapterConfig": {"command": "b", "env": {"SECRET_TOKEN": "new"}}, "name": "Rolly2"},
    )
    assert r.status_code == 200 and r.json()["name"] == "Rolly2"
    # an unchanged patch writes no revision
    await client.patch(f"/api/agents/{aid}", json={"name": "Rolly2"})
    revisions = (await client.get(f"/api/agents/{aid}/config-revisions")).json()
    assert len(revisions) == 1
    rev = revisions[0]
    assert rev["source"] == "patch" and set(rev["changedKeys"]) == {"name", "adapterConfig"}
    assert rev["beforeConfig"]["adapterConfig"]["command"] == "a"
    assert rev["afterConfig"]["adapterConfig"]["env"]["SECRET_TOKEN"] == {
        "type": "plain",
        "value": "***REDACTED***",
    }
    assert rev["createdByUserId"] == "local-board"
    one = await client.get(f"/api/agents/{aid}/config-revisions/{rev['id']}")
    assert one.status_code == 200 and one.json()["id"] == rev["id"]

    await client.patch(f"/api/agents/{aid}", json={"adapterConfig": {"command": "c"}, "title": "T"})
    r = await client.post(f"/api/agents/{aid}/config-revisions/{rev['id']}/rollback")
    assert r.status_code == 200, r.text
    assert r.json()["adapterConfig"]["command"] == "b" and r.json()["title"] is None
    async with app.state.sessions() as s:
        stored = await s.scalar(sa.select(Agent.adapter_config).where(Agent.id == uuid.UUID(aid)))
    assert stored["env"]["SECRET_TOKEN"] == {
        "type": "plain",
        "value": "new",
    }  # secrets restored, not placeholders
    revisions = (await client.get(f"/api/agents/{aid}/config-revisions")).json()
    assert [x["source"] for x in revisions] == ["rollback", "patch", "patch"]
    assert revisions[0]["rolledBackFromRevisionId"] == rev["id"]
    assert set(revisions[0]["changedKeys"]) == {"adapterConfig", "title"}
    actions = [x["action"] for x in (await client.get(f"/api/companies/{cid}/activity")).json()]
    assert actions[0] == "agent.config_rolled_back"


async def test_revision_not_found(client, api):
    cid = (await api.company())["id"]
    a = await api.agent(cid, "A")
    b = await api.agent(cid, "B")
    await client.patch(f"/api/agents/{b['id']}", json={"title": "x"})
    rev_b = (await client.get(f"/api/agents/{b['id']}/config-revisions")).json()[0]
    for rid in (rev_b["id"], str(uuid.uuid4()), "junk"):
        r = await client.get(f"/api/agents/{a['id']}/config-revisions/{rid}")
        assert r.status_code == 404 and r.json() == {"error": "Revision not found"}
        r = await client.post(f"/api/agents/{a['id']}/config-revisions/{rid}/rollback")
        assert r.status_code == 404

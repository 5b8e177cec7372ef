from __future__ import annotations

import hashlib
import re
import uuid

import sqlalchemy as sa

from paperclip.db.models import AgentApiKey


async def test_key_created_once_listed_without_token_and_authenticates(client, api, app):
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    r = await client.post(f"/api/agents/{a['id']}/keys", json={"name": "ci"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == {"id", "name", "token", "createdAt"}
    assert re.fullmatch(r"pcp_[0-9a-f]{48}", created["token"])
    listed = (await client.get(f"/api/agents/{a['id']}/keys")).json()
    assert [k["id"] for k in listed] == [created["id"]]
    assert "token" not in listed[0] and listed[0]["revokedAt"] is None
    async with app.state.sessions() as s:
        stored = await s.scalar(
            sa.select(AgentApiKey.key_hash).where(AgentApiKey.id == uuid.UUID(created["id"]))
        )
    assert stored == hashlib.sha256(created["token"].encode()).hexdigest()
    me = await client.get("/api/agents/me", headers={"Authorization": f"Bearer {created['token']}"})
    assert me.status_code == 200 and me.json()["id"] == a["id"]
    assert (await client.post(f"/api/agents/{a['id']}/keys")).status_code == 201  # name defaults


async def test_revoked_key_is_401(client, api):
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    created = (await client.post(f"/api/agents/{a['id']}/keys", json={"name": "ci"})).json()
    auth = {"Authorization": f"Bearer {created['token']}"}
    r = await client.delete(f"/api/agents/{a['id']}/keys/{created['id']}")
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert (await client.get("/api/agents/me", headers=auth)).status_code == 401
    assert (await client.get(f"/api/companies/{cid}/agents", headers=auth)).status_code == 401
    listed = (await client.get(f"/api/agents/{a['id']}/keys")).json()
    assert listed[0]["revokedAt"] is not None
    actions = [x["action"] for x in (await client.get(f"/api/companies/{cid}/activity")).json()]
    assert actions[:2] == ["agent.key_revoked", "agent.key_created"]


async def test_revoke_unknown_or_foreign_key_is_404(client, api):
    cid = (await api.company())["id"]
    a = await api.agent(cid, "A")
    b = await api.agent(cid, "B")
    key_b = (await client.post(f"/api/agents/{b['id']}/keys", json={"name": "b"})).json()
    for key_id in (key_b["id"], str(uuid.uuid4()), "junk"):
        r = await client.delete(f"/api/agents/{a['id']}/keys/{key_id}")
        assert r.status_code == 404 and r.json() == {"error": "Key not found"}


async def test_using_a_key_records_last_used_at_at_most_once_a_minute(client, api, app):
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    created = (await client.post(f"/api/agents/{a['id']}/keys", json={"name": "ci"})).json()
    auth = {"Authorization": f"Bearer {created['token']}"}

    async def last_used():
        async with app.state.sessions() as s:
            return await s.scalar(
                sa.select(AgentApiKey.last_used_at).where(AgentApiKey.id == uuid.UUID(created["id"]))
            )

    assert await last_used() is None
    assert (await client.get("/api/agents/me", headers=auth)).status_code == 200  # a read request
    first = await last_used()
    assert first is not None
    assert (await client.get("/api/agents/me", headers=auth)).status_code == 200
    assert await last_used() == first  # within the minute: not written again
    async with app.state.sessions() as s, s.begin():
        await s.execute(
            sa.update(AgentApiKey)
            .where(AgentApiKey.id == uuid.UUID(created["id"]))
            .values(last_used_at=sa.text("now() - interval '2 minutes'"))
        )
    stale = await last_used()
    r = await client.post(
        f"/api/companies/{cid}/issues", json={"title": "by key"}, headers=auth
    )  # a write request
    assert r.status_code == 201, r.text
    assert await last_used() > stale

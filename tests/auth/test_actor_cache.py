"""The verified-token cache (auth/actor_cache.py): changes made through this server take effect on the
next request; changes made elsewhere (another replica, straight in the database) within its TTL."""

from __future__ import annotations

import psycopg

from paperclip.auth import actor_cache


async def _admin(live):
    http, user = await live.sign_up()
    await live.make_admin(user["id"])
    return http, user


async def test_changes_through_this_server_apply_at_once(live):
    owner, _ = await _admin(live)
    member, member_user = await live.sign_up()
    cid = (await owner.post("/api/companies", json={"name": "Acme"})).json()["id"]
    assert (await owner.get(f"/api/companies/{cid}")).status_code == 200  # just created: visible at once
    assert (await member.get(f"/api/companies/{cid}")).status_code == 403
    await member.get("/api/companies")  # the member's actor is cached now
    invite = (await owner.post(f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "human"})).json()
    assert (
        await member.post(f"/api/invites/{invite['token']}/accept", json={"requestType": "human"})
    ).status_code == 202
    assert (await member.get(f"/api/companies/{cid}")).status_code == 200
    mid = next(
        m["id"]
        for m in (await owner.get(f"/api/companies/{cid}/members")).json()["members"]
        if m["principalId"] == member_user["id"]
    )
    assert (await member.get(f"/api/companies/{cid}")).status_code == 200
    assert (await owner.post(f"/api/companies/{cid}/members/{mid}/archive")).status_code == 200
    assert (
        await member.get(f"/api/companies/{cid}")
    ).status_code == 403  # removed: refused on the next request

    key = (await owner.post("/api/board-api-keys", json={"name": "ci"})).json()
    scripted = live.client(headers={"authorization": f"Bearer {key['token']}"})
    assert (await scripted.get(f"/api/companies/{cid}")).status_code == 200
    assert (await owner.delete(f"/api/board-api-keys/{key['id']}")).status_code == 200
    assert (await scripted.get(f"/api/companies/{cid}")).status_code == 401

    assert (await member.get("/api/auth/get-session")).status_code == 200
    assert (await member.post("/api/auth/sign-out")).status_code == 200
    assert (await member.get("/api/companies")).status_code == 401


async def test_a_session_deleted_elsewhere_ends_within_the_ttl(live, database_url, monkeypatch):
    monkeypatch.setattr(actor_cache, "TTL_SECONDS", 3600.0)
    monkeypatch.setattr(actor_cache, "QUIET_SECONDS", 0.0)
    http, user = await live.sign_up()
    assert (await http.get("/api/companies")).status_code == 200  # cached
    with psycopg.connect(database_url, autocommit=True) as conn:  # another replica signs it out
        conn.execute("DELETE FROM auth_sessions WHERE user_id = %s", (user["id"],))
    assert (await http.get("/api/companies")).status_code == 200  # served from memory until the TTL
    monkeypatch.setattr(actor_cache, "TTL_SECONDS", 0.0)  # the TTL has passed
    assert (await http.get("/api/companies")).status_code == 401
    assert (await http.get("/api/companies")).status_code == 401

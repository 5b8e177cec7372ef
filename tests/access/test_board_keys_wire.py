"""Board API keys answer like the original's (issue 14): `expiresAt: null` means never, revoke answers
`{ok, keyId}` and a second revoke is 404, revoked keys leave the list, and the implicit local board may
make keys that stop working once the instance runs authenticated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

LOCAL_ENV = {"PAPERCLIP_DEPLOYMENT_MODE": "local_trusted"}


async def test_expiry_null_means_never_and_revoke_shape(live):
    http, _ = await live.sign_up()
    never = await http.post("/api/board-api-keys", json={"name": "forever", "expiresAt": None})
    assert never.status_code == 201, never.text
    assert never.json()["expiresAt"] is None
    default = (await http.post("/api/board-api-keys", json={"name": "default"})).json()
    expires = datetime.fromisoformat(default["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(hours=1)

    key_id = never.json()["id"]
    r = await http.delete(f"/api/board-api-keys/{key_id}")
    assert r.status_code == 200 and r.json() == {"ok": True, "keyId": key_id}
    again = await http.delete(f"/api/board-api-keys/{key_id}")
    assert again.status_code == 404 and again.json()["error"] == "Board API key not found"
    assert [k["name"] for k in (await http.get("/api/board-api-keys")).json()] == ["default"]
    bad = await http.delete("/api/board-api-keys/not-a-uuid")
    assert bad.status_code == 400 and bad.json()["error"] == "Invalid board API key ID"
    script = live.client(headers={"authorization": f"Bearer {never.json()['token']}"})
    assert (await script.get("/api/cli-auth/me")).status_code == 401


async def test_local_board_keys_work_only_while_local_trusted(live_factory):
    local = await live_factory(LOCAL_ENV)
    board = local.client()
    r = await board.post("/api/board-api-keys", json={"name": "local script"})
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert [k["name"] for k in (await board.get("/api/board-api-keys")).json()] == ["local script"]
    script = local.client(headers={"authorization": f"Bearer {token}"})
    me = (await script.get("/api/cli-auth/me")).json()
    assert me["userId"] == "local-board" and me["source"] == "board_key"

    # The same database later served in authenticated mode: the local board's key is refused.
    authed = await live_factory()
    assert (
        await authed.client(headers={"authorization": f"Bearer {token}"}).get("/api/companies")
    ).status_code == 401
    assert (
        await authed.client(headers={"authorization": f"Bearer {token}"}).get("/api/cli-auth/me")
    ).status_code == 401

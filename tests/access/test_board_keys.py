"""Board API keys and the CLI login challenge, over HTTP."""

from __future__ import annotations

import psycopg


async def test_board_api_key_acts_as_its_user_until_revoked(live, database_url):
    http, user = await live.sign_up()
    await live.make_admin(user["id"])
    r = await http.post("/api/board-api-keys", json={"name": "script"})
    assert r.status_code == 201, r.text
    key = r.json()
    token = key["token"]
    assert token.startswith("pcp_board_") and len(token) == len("pcp_board_") + 48 and key["expiresAt"]
    listed = (await http.get("/api/board-api-keys")).json()
    assert [k["id"] for k in listed] == [key["id"]] and "token" not in listed[0]
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT key_hash FROM board_api_keys").fetchone()[0]
    assert token not in stored and len(stored) == 64
    script = live.client(headers={"authorization": f"Bearer {token}"})
    del script.headers["origin"]  # a script: no browser, no Origin, and no CSRF guard for bearer keys
    me = (await script.get("/api/cli-auth/me")).json()
    assert me["userId"] == user["id"] and me["source"] == "board_key"
    assert (await script.post("/api/companies", json={"name": "From script"})).status_code == 201
    assert (await http.delete(f"/api/board-api-keys/{key['id']}")).status_code == 200
    r = await script.get("/api/companies")
    assert r.status_code == 401


async def test_expired_board_key_is_401(live, database_url):
    http, _ = await live.sign_up()
    token = (await http.post("/api/board-api-keys", json={"name": "soon"})).json()["token"]
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE board_api_keys SET expires_at = now() - interval '1 second'")
    assert (
        await live.client(headers={"authorization": f"Bearer {token}"}).get("/api/companies")
    ).status_code == 401


async def test_cli_login_challenge_is_approved_by_a_signed_in_user(live):
    cli = live.client()
    del cli.headers["origin"]
    r = await cli.post(
        "/api/cli-auth/challenges", json={"command": "paperclipai auth login", "clientName": "cli"}
    )
    assert r.status_code == 201, r.text
    challenge = r.json()
    secret, board_token = challenge["token"], challenge["boardApiToken"]
    assert secret.startswith("pcp_cli_auth_") and challenge["approvalUrl"].endswith(challenge["approvalPath"])
    poll = f"/api/cli-auth/challenges/{challenge['id']}"
    assert (await cli.get(poll)).status_code == 404
    assert (await cli.get(poll, params={"token": secret})).json()["status"] == "pending"
    as_cli = live.client(headers={"authorization": f"Bearer {board_token}"})
    assert (await as_cli.get("/api/cli-auth/me")).status_code == 401  # not before approval
    r = await cli.post(f"{poll}/approve", json={"token": secret})
    assert r.status_code == 401
    http, user = await live.sign_up()
    r = await http.post(f"{poll}/approve", json={"token": "pcp_cli_auth_" + "0" * 48})
    assert r.status_code == 404
    r = await http.post(f"{poll}/approve", json={"token": secret})
    assert r.status_code == 200 and r.json()["approved"] is True and r.json()["userId"] == user["id"]
    status = (await cli.get(poll, params={"token": secret})).json()
    assert status["status"] == "approved" and status["approvedByUser"]["id"] == user["id"]
    assert board_token not in str(status)
    me = await as_cli.get("/api/cli-auth/me")
    assert me.status_code == 200 and me.json()["userId"] == user["id"]
    other, _ = await live.sign_up()
    assert (await other.post(f"{poll}/approve", json={"token": secret})).status_code == 409
    assert (await as_cli.post("/api/cli-auth/revoke-current", json={})).status_code == 200
    assert (await as_cli.get("/api/cli-auth/me")).status_code == 401


async def test_cancelled_challenge_cannot_be_approved(live):
    cli = live.client()
    challenge = (await cli.post("/api/cli-auth/challenges", json={})).json()
    poll = f"/api/cli-auth/challenges/{challenge['id']}"
    assert (await cli.post(f"{poll}/cancel", json={"token": challenge["token"]})).json()[
        "status"
    ] == "cancelled"
    http, _ = await live.sign_up()
    assert (await http.post(f"{poll}/approve", json={"token": challenge["token"]})).status_code == 409
    assert (
        await live.client(headers={"authorization": f"Bearer {challenge['boardApiToken']}"}).get(
            "/api/cli-auth/me"
        )
    ).status_code == 401

"""Passwords, session tokens, invite tokens, claim secrets and keys appear in no log line and no activity entry."""

from __future__ import annotations

import logging

import psycopg


async def test_secrets_stay_out_of_logs_and_activity(live, caplog, database_url):
    caplog.set_level(logging.DEBUG)
    password = "very-secret-password-42"
    http, user = await live.sign_up(email="sec@example.com", password=password)
    await live.make_admin(user["id"])
    await live.client().post(
        "/api/auth/sign-in/email", json={"email": "sec@example.com", "password": password + "x"}
    )
    session_token = http.cookies.get("paperclip-default.session_token")
    cid = (await http.post("/api/companies", json={"name": "Sec"})).json()["id"]
    invite = (await http.post(f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "agent"})).json()
    join = (
        await live.client().post(
            f"/api/invites/{invite['token']}/accept", json={"requestType": "agent", "agentName": "A"}
        )
    ).json()
    await live.client().post(
        f"/api/join-requests/{join['id']}/claim-api-key", json={"claimSecret": join["claimSecret"]}
    )
    await live.client().post(
        f"/api/invites/{invite['token']}/accept", json={"requestType": "agent", "agentName": "B"}
    )
    key = (await http.post("/api/board-api-keys", json={"name": "k"})).json()["token"]
    await live.client(headers={"authorization": f"Bearer {key}x"}).get("/api/companies")
    secrets = [password, session_token, invite["token"], join["claimSecret"], key]
    assert all(secrets)
    # our own records (the test's HTTP client, httpx/httpcore, logs what it sends: not the server's)
    ours = [r for r in caplog.records if r.name.startswith(("paperclip", "uvicorn"))]
    logged = "".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    assert [s[:12] for s in secrets if s in logged] == []
    with psycopg.connect(database_url) as conn:
        activity = str(conn.execute("SELECT details FROM activity_log").fetchall())
    assert [s for s in secrets if s in activity] == []

"""Accounts and sessions over real HTTP with cookies, in authenticated mode."""

from __future__ import annotations

import psycopg


async def test_sign_up_sets_an_httponly_lax_cookie_and_get_session_names_the_user(live):
    http = live.client()
    r = await http.post(
        "/api/auth/sign-up/email",
        json={"name": "Ada", "email": "  Ada@Example.COM ", "password": "correct horse battery"},
    )
    assert r.status_code == 200, r.text
    user = r.json()["user"]
    assert user["email"] == "ada@example.com" and user["name"] == "Ada"
    assert "password" not in r.text and "Hash" not in r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("paperclip-default.session_token=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    session = (await http.get("/api/auth/get-session")).json()
    assert session == {
        "session": {"id": f"paperclip:session:{user['id']}", "userId": user["id"]},
        "user": {"id": user["id"], "email": "ada@example.com", "name": "Ada", "image": None},
        "sentryDsn": None,
    }


async def test_session_token_is_stored_hashed(live, database_url):
    http, user = await live.sign_up()
    token = http.cookies.get("paperclip-default.session_token")
    with psycopg.connect(database_url) as conn:
        stored = conn.execute(
            "SELECT token_hash FROM auth_sessions WHERE user_id = %s", (user["id"],)
        ).fetchall()
        hashes = conn.execute("SELECT password_hash FROM auth_users WHERE id = %s", (user["id"],)).fetchone()[
            0
        ]
    assert len(stored) == 1 and stored[0][0] != token and len(stored[0][0]) == 64
    assert hashes.startswith("$argon2id$")


async def test_sign_in_sign_out_and_a_dead_cookie_is_401(live):
    await live.sign_up(email="bob@example.com", password="pass-word-123")
    http = live.client()
    assert (await http.get("/api/auth/get-session")).status_code == 401
    r = await http.post(
        "/api/auth/sign-in/email", json={"email": "BOB@example.com", "password": "pass-word-123"}
    )
    assert r.status_code == 200 and r.json()["user"]["email"] == "bob@example.com"
    stolen = http.cookies.get("paperclip-default.session_token")
    assert (await http.get("/api/companies")).status_code == 200
    r = await http.post("/api/auth/sign-out")
    assert r.status_code == 200 and r.json() == {"success": True}
    assert (await http.get("/api/auth/get-session")).status_code == 401
    replay = live.client(cookies={"paperclip-default.session_token": stolen})
    r = await replay.get("/api/companies")
    assert r.status_code == 401
    garbage = live.client(cookies={"paperclip-default.session_token": "x" * 5000})
    assert (await garbage.get("/api/companies")).status_code == 401


async def test_wrong_password_and_unknown_email_are_the_same_answer(live):
    await live.sign_up(email="carol@example.com", password="pass-word-123")
    http = live.client()
    wrong = await http.post(
        "/api/auth/sign-in/email", json={"email": "carol@example.com", "password": "nope-nope-nope"}
    )
    unknown = await http.post(
        "/api/auth/sign-in/email", json={"email": "nobody@example.com", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "error": "Invalid email or password",
            "code": "INVALID_EMAIL_OR_PASSWORD",
            "message": "Invalid email or password",
        }
    )
    assert "set-cookie" not in wrong.headers


async def test_bad_sign_up_input_is_a_clear_4xx(live):
    http = live.client()
    cases = [
        ({"email": "not-an-email", "password": "long-enough-1"}, 400),
        ({"email": "a@b.co", "password": "short"}, 400),
        ({"email": "a@b.co", "password": "x" * 500}, 400),
        ({"email": ["a@b.co"], "password": "long-enough-1"}, 400),
    ]
    for body, status in cases:
        r = await http.post("/api/auth/sign-up/email", json=body)
        assert r.status_code == status, (body, r.text)
    assert (
        await http.post(
            "/api/auth/sign-up/email", content=b"[1,2]", headers={"content-type": "application/json"}
        )
    ).status_code == 400
    await live.sign_up(email="dup@example.com")
    r = await http.post(
        "/api/auth/sign-up/email", json={"email": "DUP@example.com", "password": "long-enough-1"}
    )
    assert r.status_code == 422 and r.json()["code"] == "USER_ALREADY_EXISTS"


async def test_sign_in_is_throttled_per_account_with_retry_after(live):
    await live.sign_up(email="dave@example.com", password="pass-word-123")
    http = live.client()
    statuses = []
    for _ in range(12):
        r = await http.post(
            "/api/auth/sign-in/email", json={"email": "dave@example.com", "password": "wrong-wrong"}
        )
        statuses.append(r.status_code)
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert int(r.headers["retry-after"]) > 0
    # even the right password waits: the throttle is per account
    r = await http.post(
        "/api/auth/sign-in/email", json={"email": "dave@example.com", "password": "pass-word-123"}
    )
    assert r.status_code == 429
    # another account from the same address is not blocked yet
    await live.sign_up(email="erin@example.com", password="pass-word-123")
    r = await http.post(
        "/api/auth/sign-in/email", json={"email": "erin@example.com", "password": "pass-word-123"}
    )
    assert r.status_code == 200


async def test_password_change_signs_out_every_other_session(live):
    first, user = await live.sign_up(email="fay@example.com", password="pass-word-123")
    second = live.client()
    assert (
        await second.post(
            "/api/auth/sign-in/email", json={"email": "fay@example.com", "password": "pass-word-123"}
        )
    ).status_code == 200
    r = await first.post(
        "/api/auth/change-password", json={"currentPassword": "wrong-one-1", "newPassword": "new-pass-456"}
    )
    assert r.status_code == 400
    r = await first.post(
        "/api/auth/change-password", json={"currentPassword": "pass-word-123", "newPassword": "new-pass-456"}
    )
    assert r.status_code == 200, r.text
    assert (await first.get("/api/auth/get-session")).status_code == 200
    assert (await second.get("/api/auth/get-session")).status_code == 401
    third = live.client()
    assert (
        await third.post(
            "/api/auth/sign-in/email", json={"email": "fay@example.com", "password": "pass-word-123"}
        )
    ).status_code == 401
    assert (
        await third.post(
            "/api/auth/sign-in/email", json={"email": "fay@example.com", "password": "new-pass-456"}
        )
    ).status_code == 200


async def test_disabled_sign_up_refuses_without_an_invite(live_factory):
    live = await live_factory({"PAPERCLIP_AUTH_DISABLE_SIGN_UP": "true"})
    r = await live.client().post(
        "/api/auth/sign-up/email", json={"email": "g@example.com", "password": "long-enough-1"}
    )
    assert r.status_code == 400 and r.json()["code"] == "EMAIL_PASSWORD_SIGN_UP_DISABLED"


async def test_https_public_url_makes_the_cookie_secure(live_factory):
    live = await live_factory(
        {
            "PAPERCLIP_AUTH_PUBLIC_BASE_URL": "https://board.example.com",
            "PAPERCLIP_DEPLOYMENT_EXPOSURE": "public",
        }
    )
    http = live.client(headers={"host": "board.example.com", "origin": "https://board.example.com"})
    r = await http.post(
        "/api/auth/sign-up/email", json={"email": "h@example.com", "password": "long-enough-1"}
    )
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Secure-paperclip-default.session_token=") and "Secure" in cookie


async def test_cookie_mutation_from_a_foreign_origin_is_refused(live):
    http, user = await live.sign_up()
    await live.make_admin(user["id"])
    r = await http.post("/api/companies", json={"name": "Acme"}, headers={"origin": "https://evil.example"})
    assert r.status_code == 403 and r.json() == {"error": "Board mutation requires trusted browser origin"}
    bare = live.client(cookies=dict(http.cookies))
    del bare.headers["origin"]
    r = await bare.post("/api/companies", json={"name": "Acme"})
    assert r.status_code == 403
    r = await http.post("/api/companies", json={"name": "Acme"})
    assert r.status_code == 201, r.text
    r = await http.post(
        "/api/auth/sign-in/email",
        json={"email": "x@example.com", "password": "long-enough-1"},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403


async def test_anonymous_health_is_reduced_and_a_signed_in_user_gets_the_details(live):
    anonymous = (await live.client().get("/api/health")).json()
    assert set(anonymous) == {
        "status",
        "deploymentMode",
        "deploymentExposure",
        "bootstrapStatus",
        "bootstrapInviteActive",
        "deployment",
    }
    assert "version" not in str(anonymous["deployment"])
    assert anonymous["bootstrapStatus"] == "bootstrap_pending"
    http, _ = await live.sign_up()
    full = (await http.get("/api/health")).json()
    assert full["version"] and full["authReady"] is True and "features" in full
    bad = live.client(cookies={"paperclip-default.session_token": "nope"})
    assert set((await bad.get("/api/health")).json()) == set(anonymous)


async def test_sign_up_is_throttled_per_address_across_replicas(live_factory, monkeypatch):
    from paperclip.access import throttle

    monkeypatch.setattr(throttle, "MAX_SIGN_UPS_PER_ADDRESS", 3)
    first, second = await live_factory(), await live_factory()  # two replicas, one database

    def attempt(live, n, address="203.0.113.7", email=None):
        return live.client(headers={"x-forwarded-for": address}).post(
            "/api/auth/sign-up/email",
            json={"name": f"U{n}", "email": email or f"signup-{n}@example.com", "password": "long-enough-1"},
        )

    statuses = [
        (await attempt(first, 1)).status_code,
        (await attempt(second, 2)).status_code,
        (await attempt(first, 1, email="signup-1@example.com")).status_code,
    ]  # a failed one counts too
    assert statuses == [200, 200, 422]
    r = await attempt(second, 4)
    assert r.status_code == 429 and r.json()["code"] == "TOO_MANY_REQUESTS"
    assert 0 < int(r.headers["retry-after"]) <= 3600
    assert (await attempt(first, 5)).status_code == 429
    # another address is not affected; sign-in from the throttled address still works
    assert (await attempt(first, 6, address="198.51.100.9")).status_code == 200
    r = await first.client(headers={"x-forwarded-for": "203.0.113.7"}).post(
        "/api/auth/sign-in/email", json={"email": "signup-1@example.com", "password": "long-enough-1"}
    )
    assert r.status_code == 200
    import psycopg

    with psycopg.connect(first.app.state.database_url) as conn:
        users = {r[0] for r in conn.execute("SELECT email FROM auth_users")}
    assert "signup-4@example.com" not in users and "signup-5@example.com" not in users

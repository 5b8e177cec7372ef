"""The first admin: board claim of a formerly local_trusted instance, and the headless env admin."""

from __future__ import annotations

import httpx
import psycopg

from paperclip.access import board_claim
from paperclip.clock import utcnow


def _roles(database_url: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        return {
            r[0]
            for r in conn.execute("SELECT user_id FROM instance_user_roles WHERE role = 'instance_admin'")
        }


async def test_board_claim_moves_the_board_to_the_signed_in_user_once(
    make_settings, database_url, live_factory, capsys, start_app
):
    # A local_trusted instance with a company, then the same database in authenticated mode.
    local_app, server, task, port = await start_app(make_settings(), database_url)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        company = (await http.post("/api/companies", json={"name": "Legacy"})).json()
    server.should_exit = True
    await task
    board_claim.reset_challenge()
    live = await live_factory()
    out = capsys.readouterr().out
    challenge = board_claim._current
    assert challenge is not None and "Board claim URL: http://127.0.0.1:" in out
    assert f"/board-claim/{challenge.token}?code={challenge.code}" in out
    assert len(challenge.token) == 48 and len(challenge.code) == 24

    anonymous = live.client()
    r = await anonymous.get(f"/api/board-claim/{challenge.token}", params={"code": "0" * 24})
    assert r.status_code == 404 and r.json() == {"error": "Board claim challenge not found"}
    r = await anonymous.get(f"/api/board-claim/{challenge.token}", params={"code": challenge.code})
    assert r.status_code == 200 and r.json()["status"] == "available" and r.json()["requiresSignIn"] is True
    r = await anonymous.post(f"/api/board-claim/{challenge.token}/claim", json={"code": challenge.code})
    assert r.status_code == 401 and r.json() == {"error": "Sign in before claiming board ownership"}

    http, user = await live.sign_up()
    assert (await http.get(f"/api/companies/{company['id']}")).status_code == 403
    r = await http.post(f"/api/board-claim/{challenge.token}/claim", json={})
    assert r.status_code == 400 and r.json() == {"error": "Claim code is required"}
    r = await http.post(f"/api/board-claim/{challenge.token}/claim", json={"code": "f" * 24})
    assert r.status_code == 404
    r = await http.post(f"/api/board-claim/{challenge.token}/claim", json={"code": challenge.code})
    assert r.status_code == 200 and r.json() == {"claimed": True, "userId": user["id"]}
    assert _roles(database_url) == {user["id"]}
    assert (await http.get(f"/api/companies/{company['id']}")).status_code == 200
    status = (
        await anonymous.get(f"/api/board-claim/{challenge.token}", params={"code": challenge.code})
    ).json()
    assert status["status"] == "claimed" and status["claimedByUserId"] == user["id"]
    # once: another user cannot claim again, and nothing changes
    other, _ = await live.sign_up()
    r = await other.post(f"/api/board-claim/{challenge.token}/claim", json={"code": challenge.code})
    assert r.status_code == 409
    assert _roles(database_url) == {user["id"]}
    health = (await anonymous.get("/api/health")).json()
    assert health["bootstrapStatus"] == "ready"
    board_claim.reset_challenge()


async def test_no_claim_url_for_a_fresh_authenticated_instance(live_factory, capsys):
    await live_factory()
    out = capsys.readouterr().out
    assert "Invite URL:" in out and "Board claim URL" not in out


async def test_env_admin_is_created_once_and_never_overwritten(live_factory, database_url, tmp_path):
    secret_file = tmp_path / "pw"
    secret_file.write_text("first-admin-pass\n")
    live = await live_factory(
        {"PAPERCLIP_ADMIN_EMAIL": "Root@Example.com", "PAPERCLIP_ADMIN_PASSWORD_FILE": str(secret_file)}
    )
    http = live.client()
    r = await http.post(
        "/api/auth/sign-in/email", json={"email": "root@example.com", "password": "first-admin-pass"}
    )
    assert r.status_code == 200, r.text
    assert len(_roles(database_url)) == 1
    assert (await http.post("/api/companies", json={"name": "Headless"})).status_code == 201
    # a second start with other values changes nothing
    again = await live_factory(
        {"PAPERCLIP_ADMIN_EMAIL": "root@example.com", "PAPERCLIP_ADMIN_PASSWORD": "other-password-2"}
    )
    r = await again.client().post(
        "/api/auth/sign-in/email", json={"email": "root@example.com", "password": "other-password-2"}
    )
    assert r.status_code == 401
    assert len(_roles(database_url)) == 1
    assert utcnow()


async def test_authenticated_start_without_strict_mode_warns_naming_the_setting(live_factory, capsys, caplog):
    import logging

    from paperclip.secrets.startup import STRICT_MODE_WARNING

    with caplog.at_level(logging.WARNING, logger="paperclip.server"):
        await live_factory({"PAPERCLIP_SECRETS_STRICT_MODE": "false"})
    assert "WARNING: Strict secret mode should be enabled" in capsys.readouterr().out
    assert (
        STRICT_MODE_WARNING in caplog.messages and "PAPERCLIP_SECRETS_STRICT_MODE=true" in STRICT_MODE_WARNING
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="paperclip.server"):
        await live_factory()  # authenticated mode is strict by default: no warning
    assert "Strict secret mode" not in capsys.readouterr().out
    assert STRICT_MODE_WARNING not in caplog.messages


async def test_start_up_steps_run_on_a_session_factory_without_an_app(make_settings, database_url, capsys):
    """The background process has no web app: both start-up steps take settings and a session factory."""
    from paperclip.access import first_admin
    from paperclip.auth.actor import LOCAL_BOARD_USER_ID
    from paperclip.db.engine import make_async_engine, session_factory
    from tests.access.conftest import AUTH_ENV

    settings = make_settings(
        {**AUTH_ENV, "PAPERCLIP_ADMIN_EMAIL": "ops@example.com", "PAPERCLIP_ADMIN_PASSWORD": "ops-password-1"}
    )
    engine = make_async_engine(database_url)
    sessions = session_factory(engine)
    try:
        user_id = await first_admin.ensure_env_admin(settings, sessions, utcnow())
        assert user_id is not None and _roles(database_url) == {user_id}
        assert await first_admin.ensure_env_admin(settings, sessions, utcnow()) is None
        # a real admin exists: no claim URL
        board_claim.reset_challenge()
        assert await board_claim.announce(sessions, "http://127.0.0.1:3100", utcnow()) is None
        assert board_claim._current is None
        # the local board is the only admin (a formerly local_trusted instance): the URL is printed
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM instance_user_roles")
            conn.execute(
                "INSERT INTO instance_user_roles (user_id, role) VALUES (%s, 'instance_admin')",
                (LOCAL_BOARD_USER_ID,),
            )
        capsys.readouterr()
        url = await board_claim.announce(sessions, "http://127.0.0.1:3100/", utcnow())
        challenge = board_claim._current
        assert challenge is not None
        assert url == f"http://127.0.0.1:3100/board-claim/{challenge.token}?code={challenge.code}"
        assert f"Board claim URL: {url}" in capsys.readouterr().out
    finally:
        board_claim.reset_challenge()
        await engine.dispose()

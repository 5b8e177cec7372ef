"""`paperclipai auth bootstrap-ceo` against the test database (DATABASE_URL), and the automatic invite."""

from __future__ import annotations

import re

import psycopg
from typer.testing import CliRunner

from paperclip.cli.main import app


def _run(paperclip_home, database_url, *args):
    env = {
        "PAPERCLIP_HOME": str(paperclip_home),
        "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
        "DATABASE_URL": database_url,
        "BETTER_AUTH_SECRET": "x" * 32,
        "PAPERCLIP_PUBLIC_URL": "",
    }
    return CliRunner().invoke(app, ["auth", "bootstrap-ceo", *args], env=env)


def test_bootstrap_ceo_prints_an_invite_and_revokes_the_previous_one(paperclip_home, database_url):
    first = _run(paperclip_home, database_url)
    assert first.exit_code == 0, first.output
    link = re.search(r"Invite URL: (\S+)/invite/(pcp_bootstrap_[0-9a-f]{48})", first.output)
    assert link and link.group(1) == "http://127.0.0.1:3100"
    second = _run(
        paperclip_home, database_url, "--expires-hours", "5000", "--base-url", "https://board.example"
    )
    assert second.exit_code == 0, second.output
    assert "https://board.example/invite/pcp_bootstrap_" in second.output
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT revoked_at IS NOT NULL, expires_at - created_at, token_hash FROM invites"
            " WHERE invite_type = 'bootstrap_ceo' ORDER BY created_at"
        ).fetchall()
        assert [r[0] for r in rows] == [True, False]
        assert rows[1][1].days == 30  # clamped to 720 hours
        assert link.group(2) not in str(rows)
        conn.execute("INSERT INTO auth_users (id, email) VALUES ('u1', 'a@b.co')")
        conn.execute("INSERT INTO instance_user_roles (user_id, role) VALUES ('u1', 'instance_admin')")
    refused = _run(paperclip_home, database_url)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert _run(paperclip_home, database_url, "--force").exit_code == 0


async def test_a_fresh_authenticated_server_prints_a_bootstrap_invite(live_factory, capsys):
    live = await live_factory()
    out = capsys.readouterr().out
    token = re.search(r"Invite URL: http://127\.0\.0\.1:\d+/invite/(pcp_bootstrap_[0-9a-f]{48})", out)
    assert token, out
    health = (await live.client().get("/api/health")).json()
    assert health["bootstrapInviteActive"] is True
    assert (await live.client().get(f"/api/invites/{token.group(1)}")).status_code == 200

"""What the original's web app reads before it shows a page (scripts/dev/original-ui measures the
whole app against ours; these pin the answers it depends on)."""

from __future__ import annotations


async def test_get_session_carries_the_sentry_key_the_web_app_waits_for(client):
    # Without the key (null: we report errors nowhere) the original's app never asks for the sidebar
    # preferences (GET /api/sidebar-preferences/me and /api/companies/:id/sidebar-preferences/me).
    r = await client.get("/api/auth/get-session")
    assert r.status_code == 200
    body = r.json()
    assert "sentryDsn" in body and body["sentryDsn"] is None
    assert body["session"]["userId"] == body["user"]["id"] == "local-board"

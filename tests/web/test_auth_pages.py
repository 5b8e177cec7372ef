from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import CSRF_RE

AUTH_ENV = {
    "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
    "BETTER_AUTH_SECRET": "test-better-auth-secret-0123456789",
}


@pytest.fixture
async def auth_client(make_settings, database_url):
    from paperclip.server.runtime import build_app

    app = build_app(make_settings(AUTH_ENV), database_url, 3100, role="api")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3100") as http:
            yield http


async def test_signed_out_pages_lead_to_sign_in_then_back(auth_client):
    page = await auth_client.get("/companies")
    assert page.status_code == 303 and page.headers["location"] == "/auth?next=/companies"
    form = await auth_client.get("/auth?next=/companies")
    assert form.status_code == 200 and 'action="/auth/sign-in"' in form.text
    up = await auth_client.get("/auth?mode=sign-up&next=/companies")
    token = CSRF_RE.search(up.text).group(1)
    signed = await auth_client.post(
        "/auth/sign-up",
        data={
            "_csrf": token,
            "name": "Ada",
            "email": "ada@example.com",
            "password": "correct horse battery",
            "next": "/companies",
        },
    )
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/companies"
    assert "session_token" in signed.headers["set-cookie"]
    assert (await auth_client.get("/auth")).headers["location"] == "/"
    out = await auth_client.post("/auth/sign-out", data={"_csrf": token})
    assert out.status_code == 303
    assert (await auth_client.get("/companies")).status_code == 303


async def test_wrong_password_is_shown_next_to_the_form(auth_client):
    form = await auth_client.get("/auth")
    token = CSRF_RE.search(form.text).group(1)
    bad = await auth_client.post(
        "/auth/sign-in",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "email": "nobody@example.com", "password": "wrong password"},
    )
    assert bad.status_code == 401 and 'class="form-error"' in bad.text


async def test_next_never_leaves_the_site(auth_client):
    page = await auth_client.get("/auth?mode=sign-up&next=//evil.example/x")
    assert 'name="next" value="/"' in page.text

"""/board-claim/<token> and /invite/<token> in authenticated mode, through the pages only: the
printed board claim URL, the bootstrap invite, a company invite for a viewer; then what a viewer sees
(no mutating controls on the dashboard, issues list, board and issue page) and that the page routes
refuse their writes."""

from __future__ import annotations

import re

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.web.conftest import CSRF_RE

AUTH_ENV = {
    "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
    "BETTER_AUTH_SECRET": "test-better-auth-secret-0123456789",
}
PASSWORD = "correct horse battery"


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def boot(make_settings, database_url):
    """Start the app in authenticated mode; yields a factory of browsers (clients with their own cookies)."""
    from paperclip.access import board_claim
    from paperclip.server.runtime import build_app

    board_claim.reset_challenge()
    app = build_app(make_settings(AUTH_ENV), database_url, 3100, role="api")

    class Boot:
        def __init__(self):
            self.app = app

        def browser(self) -> httpx.AsyncClient:
            return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:3100")

    return Boot()


async def _csrf(client, path: str) -> str:
    page = await client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, page.text[:300]
    return match.group(1)


async def sign_up(client, email: str, next_url: str) -> None:
    form = await client.get(f"/auth?mode=sign-up&next={next_url}")
    token = CSRF_RE.search(form.text).group(1)
    hidden = re.search(r'name="inviteToken" value="([^"]+)"', form.text)
    data = {
        "_csrf": token,
        "name": email.split("@")[0].title(),
        "email": email,
        "password": PASSWORD,
        "next": next_url,
        **({"inviteToken": hidden.group(1)} if hidden else {}),
    }
    response = await client.post("/auth/sign-up", data=data)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_url


async def test_board_claim_page_signs_up_then_claims(boot, database_url, capsys):
    with psycopg.connect(_plain(database_url), autocommit=True) as conn:  # a formerly local_trusted instance
        conn.execute(
            "INSERT INTO auth_users (id, name, email, email_verified, created_at, updated_at) "
            "VALUES ('local-board', 'Board', 'local@paperclip.local', true, now(), now())"
        )
        conn.execute(
            "INSERT INTO instance_user_roles (user_id, role) VALUES ('local-board', 'instance_admin')"
        )
        conn.execute(
            "INSERT INTO companies (id, name, issue_prefix, status) "
            "VALUES (gen_random_uuid(), 'Acme Robotics', 'ACM', 'active')"
        )
    async with boot.app.router.lifespan_context(boot.app):
        url = re.search(r"Board claim URL: (\S+)", capsys.readouterr().out).group(1)
        path = url.split("3100", 1)[1]
        async with boot.browser() as ada, boot.browser() as eve:
            wrong = await ada.get(path.replace("code=", "code=0"))
            assert wrong.status_code == 404 and "Board claim challenge not found" in wrong.text
            page = await ada.get(path)
            assert page.status_code == 200 and "Claim this board" in page.text
            assert (
                'action="/board-claim/' not in page.text
                and "/auth?mode=sign-up&amp;next=/board-claim/" in page.text
            )

            await sign_up(ada, "ada@example.com", path)
            page = await ada.get(path)
            assert 'action="/board-claim/' in page.text and "ada@example.com" in page.text
            token = CSRF_RE.search(page.text).group(1)
            code = re.search(r'name="code" value="([^"]+)"', page.text).group(1)
            claimed = await ada.post(path.split("?")[0], data={"_csrf": token, "code": code})
            assert claimed.status_code == 303 and claimed.headers["location"] == "/"
            assert "You own this board" in (await ada.get(path)).text
            assert (await ada.get("/ACM/dashboard")).status_code == 200  # owner of every company now

            await sign_up(eve, "eve@example.com", path)
            late = await eve.get(path)
            assert "already been claimed" in late.text and 'action="/board-claim/' not in late.text
            refused = await eve.post(
                path.split("?")[0],
                headers={"X-Fragment": "1"},
                data={"_csrf": await _csrf(eve, path), "code": code},
            )
            assert refused.status_code == 409 and "already claimed" in refused.text
    with psycopg.connect(_plain(database_url)) as conn:
        admins = [
            r[0]
            for r in conn.execute(
                "SELECT u.email FROM instance_user_roles r JOIN auth_users u ON u.id = r.user_id"
            )
        ]
    assert admins == ["ada@example.com"]


async def test_invites_bootstrap_admin_then_viewer_joins_read_only(boot, database_url, capsys):
    async with boot.app.router.lifespan_context(boot.app):
        url = re.search(r"Invite URL: (\S+)", capsys.readouterr().out).group(1)
        bootstrap = url.split("3100", 1)[1]
        async with boot.browser() as admin, boot.browser() as viewer:
            page = await admin.get(bootstrap)
            assert page.status_code == 200 and "Set up this Paperclip instance" in page.text
            await sign_up(admin, "boss@example.com", bootstrap)
            token = await _csrf(admin, bootstrap)
            accepted = await admin.post(bootstrap, data={"_csrf": token})
            assert accepted.status_code == 303, accepted.text
            gone = await admin.get(bootstrap)
            assert gone.status_code == 404 and "no longer works" in gone.text

            made = await admin.post("/companies", data={"_csrf": token, "name": "Acme Robotics"})
            assert made.headers["location"] == "/ACM/dashboard"
            issue = await admin.post("/ACM/issues", data={"_csrf": token, "title": "Ship the vacuum"})
            assert issue.headers["location"] == "/ACM/issues/ACM-1"
            settings = await admin.post("/ACM/company/invites", data={"_csrf": token, "humanRole": "viewer"})
            invite = re.search(r"(/invite/pcp_invite_[0-9a-f]+)", settings.text).group(1)

            landing = await viewer.get(invite)
            assert landing.status_code == 200
            assert (
                "Join Acme Robotics" in landing.text and "Viewer" in landing.text and "Boss" in landing.text
            )
            await sign_up(viewer, "vera@example.com", invite)
            assert (await viewer.get("/ACM/dashboard")).status_code == 404  # not a member yet
            vtoken = await _csrf(viewer, invite)
            joined = await viewer.post(invite, data={"_csrf": vtoken})
            assert joined.status_code == 303 and joined.headers["location"] == "/ACM/dashboard"
            again = await viewer.get(invite)
            assert again.status_code == 404  # used once

            for path in ["/ACM/dashboard", "/ACM/issues", "/ACM/board", "/ACM/issues/ACM-1"]:
                page = await viewer.get(path)
                assert page.status_code == 200, path
                assert 'method="post"' not in page.text, path
                assert "New issue" not in page.text and 'draggable="true"' not in page.text, path
                as_admin = await admin.get(path)
                assert 'method="post"' in as_admin.text or "New issue" in as_admin.text, path
            for path, data in [
                ("/ACM/issues", {"title": "Sneaky"}),
                ("/ACM/issues/ACM-1", {"status": "done"}),
                ("/ACM/issues/ACM-1/comments", {"body": "hi"}),
                ("/ACM/issues/ACM-1/children", {"title": "Sub"}),
                ("/ACM/issues/ACM-1/blockers", {"blockers": ""}),
            ]:
                refused = await viewer.post(path, headers={"X-Fragment": "1"}, data={"_csrf": vtoken, **data})
                assert refused.status_code == 403 and "Viewer access is read-only" in refused.text, path
            assert "Boss created" in (await viewer.get("/ACM/dashboard")).text  # people by name in activity
            page = await admin.get("/ACM/issues/ACM-1")
            assert "No comments yet" in page.text and "Sneaky" not in (await admin.get("/ACM/issues")).text

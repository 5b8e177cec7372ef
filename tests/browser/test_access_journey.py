"""Journey 3 (authenticated mode): a formerly local_trusted instance prints its board claim URL; a
person signs up through it and claims the board, creates a company, invites a viewer; the viewer
signs up through the invite, sees the company without mutating controls, and a POST anyway is refused."""

from __future__ import annotations

import re
import sys

import psycopg
import pytest
from playwright.async_api import expect
from sqlalchemy.engine import make_url

from tests.browser.conftest import AUTH_ENV, DESKTOP, Watch, _serve, shoot

PASSWORD = "correct horse battery"


@pytest.fixture
async def claimable_server(make_settings, database_url, capsys):
    """An instance whose only admin is the local board (it ran in local_trusted mode), now started in
    authenticated mode: it prints the board claim URL."""
    from paperclip.access import board_claim

    plain = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO auth_users (id, name, email, email_verified, created_at, updated_at) "
            "VALUES ('local-board', 'Board', 'local@paperclip.local', true, now(), now())"
        )
        conn.execute(
            "INSERT INTO instance_user_roles (user_id, role) VALUES ('local-board', 'instance_admin')"
        )
    board_claim.reset_challenge()
    async for url in _serve(make_settings, database_url, AUTH_ENV):
        yield url, capsys.readouterr().out  # what the server printed at start


async def _person(browser, server):
    context = await browser.new_context(viewport=DESKTOP, base_url=server)
    page = await context.new_page()
    page.set_default_timeout(15000)
    page.watch = Watch(page)
    return context, page


async def _sign_up(page, name: str, email: str):
    await page.click("a:has-text('Create an account')")
    await expect(page).to_have_url(re.compile(r"/auth\?mode=sign-up"))
    await page.fill("#a-name", name)
    await page.fill("#a-email", email)
    await page.fill("#a-password", PASSWORD)
    await page.click("button:has-text('Sign up')")


async def test_claim_the_board_then_invite_a_viewer(browser, claimable_server):
    server, console = claimable_server
    printed = re.search(r"Board claim URL: (\S+)", console)
    assert printed, "the server printed no board claim URL"
    claim_url = printed.group(1)
    assert claim_url.startswith(server)

    owner_ctx, owner = await _person(browser, server)
    viewer_ctx, viewer = await _person(browser, server)
    try:
        # The owner follows the printed URL, signs up, comes back and claims.
        await owner.goto(claim_url)
        await expect(owner.locator("h1")).to_have_text("Claim this board")
        await shoot(owner, "board-claim-signed-out")
        await _sign_up(owner, "Olivia Owner", "olivia@example.com")
        # anchored before any "?": the sign-up page's own URL carries next=/board-claim/... unescaped
        await expect(owner).to_have_url(re.compile(r"^[^?]*/board-claim/"))
        await expect(owner.locator("main")).to_contain_text("olivia@example.com")
        await shoot(owner, "board-claim")
        await owner.click("button:has-text('Claim this board')")
        await expect(owner).to_have_url(re.compile(r"/onboarding$"))  # no company yet
        owner.watch.check()

        # A company (with its first agent and task), then an invite for a viewer.
        await owner.fill("#ob-company", "Acme Robotics")
        await owner.fill("#ob-command", f"{sys.executable} -c 'print(1)'")
        await owner.fill("#ob-task", "Write the company plan")
        await owner.click("text=Create company, agent and task")
        await expect(owner).to_have_url(re.compile(r"/ACM/issues/ACM-1$"))
        await owner.goto("/ACM/company/settings")
        await owner.select_option("#inv-role", "viewer")
        await owner.click("button:has-text('Create invite link')")
        invite_url = await owner.locator("#invite-url").input_value()
        assert re.search(r"/invite/pcp_invite_[0-9a-f]+$", invite_url), invite_url
        owner.watch.check()

        # An attachment on the issue; a refused type shows the server's message next to the control.
        await owner.goto("/ACM/issues/ACM-1")
        await owner.set_input_files(
            "#attach-file",
            files=[{"name": "plan.txt", "mimeType": "text/plain", "buffer": b"the plan: ship the vacuum"}],
        )
        await owner.click("#attachments button:has-text('Upload')")
        await expect(owner.locator("#attachments li", has_text="plan.txt")).to_be_visible()
        owner.watch.expected_statuses.append((422, r"/ACM/issues/ACM-1/attachments"))
        await owner.set_input_files(
            "#attach-file",
            files=[{"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}],
        )
        await owner.click("#attachments button:has-text('Upload')")
        await expect(owner.locator("#attachments form.upload [data-error]")).to_contain_text(
            "Unsupported file type"
        )
        await shoot(owner, "issue-attachments")
        owner.watch.problems = [
            p for p in owner.watch.problems if "422" not in p
        ]  # the refusal's console line
        owner.watch.check()

        # The viewer lands on the invite, sees company and role, signs up and joins.
        await viewer.goto(invite_url)
        await expect(viewer.locator("h1")).to_have_text("Join Acme Robotics")
        await expect(viewer.locator("main")).to_contain_text("Viewer")
        await expect(viewer.locator("main")).to_contain_text("Olivia Owner")
        await shoot(viewer, "invite-signed-out")
        await _sign_up(viewer, "Victor Viewer", "victor@example.com")
        await expect(viewer).to_have_url(re.compile(r"^[^?]*/invite/pcp_invite_"))
        await shoot(viewer, "invite")
        await viewer.click("button:has-text('Join Acme Robotics')")
        await expect(viewer).to_have_url(re.compile(r"/ACM/dashboard$"))
        viewer.watch.check()

        # Read-only: the core pages show the company and no control that changes it.
        for path, name in [
            ("/ACM/dashboard", "viewer-dashboard"),
            ("/ACM/issues", "viewer-issues"),
            ("/ACM/board", "viewer-board"),
            ("/ACM/issues/ACM-1", "viewer-issue"),
        ]:
            await viewer.goto(path)
            await expect(viewer.locator("main")).to_contain_text(
                "Write the company plan" if path != "/ACM/dashboard" else "Dashboard"
            )
            assert await viewer.locator("form[method=post]").count() == 0, path
            assert await viewer.locator("[draggable=true]").count() == 0, path
            assert await viewer.locator("text=New issue").count() == 0, path
            if path == "/ACM/issues/ACM-1":
                await expect(viewer.locator("#attachments")).to_contain_text("plan.txt")
                assert await viewer.locator("#attach-file").count() == 0
            await shoot(viewer, name)
            viewer.watch.check()

        # A POST anyway (the page's own CSRF token and cookies) is refused, and nothing changed.
        token = await viewer.locator("meta[name=csrf-token]").get_attribute("content")
        refused = await viewer.request.post(
            f"{server}/ACM/issues/ACM-1",
            headers={"Origin": server, "X-Fragment": "1"},
            form={"_csrf": token, "status": "cancelled"},
        )
        assert refused.status == 403
        assert "Viewer access is read-only" in await refused.text()
        await owner.goto("/ACM/issues/ACM-1")
        await expect(owner.locator("#p-status")).not_to_have_value("cancelled")
        owner.watch.check()
    finally:
        await owner_ctx.close()
        await viewer_ctx.close()

"""The board's journeys, end to end in a real browser (see conftest.py)."""

from __future__ import annotations

import re
import sys
import textwrap

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, PHONE, report_cost, shoot

AGENT_SCRIPT = textwrap.dedent("""
    import time
    for i in range(10):
        print(f"step {i}: working on the task", flush=True)
        time.sleep(0.5)
""") + report_cost(123)


async def visit(page, url: str, shot: str | None = None):
    await page.goto(url)
    await page.wait_for_load_state("domcontentloaded")
    if shot:
        await shoot(page, shot)
    page.watch.check()


async def test_local_trusted_journey(page, tmp_path):
    script = tmp_path / "agent.py"
    script.write_text(AGENT_SCRIPT)

    # Onboarding: the first company, its first agent and a starter task.
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/onboarding$"))
    await shoot(page, "onboarding")
    await page.fill("#ob-company", "Acme Robotics")
    await page.fill("#ob-mission", "Make the best robot vacuum")
    await page.fill("#ob-command", f"{sys.executable} -c 'print(\"hello from the CEO\")'")
    await page.fill("#ob-task", "Write the company plan")
    await page.click("text=Create company, agent and task")
    await expect(page).to_have_url(re.compile(r"/ACM/issues/ACM-1$"))
    await expect(page.locator("h1")).to_contain_text("Write the company plan")
    page.watch.check()

    # A second company from the companies page, then back through the switcher.
    await visit(page, "/ACM/companies")
    await page.click("button:has-text('New company')")
    await page.fill("#company-name", "Globex Labs")
    await page.click("#new-company button:has-text('Create company')")
    await expect(page).to_have_url(re.compile(r"/GLO/dashboard$"))
    await page.select_option("#company-switch", "ACM")
    await expect(page).to_have_url(re.compile(r"/ACM/dashboard$"))
    await shoot(page, "companies-dashboard-empty")
    page.watch.check()

    # Hire an agent with the process adapter (the agents page's form).
    await visit(page, "/ACM/agents/new", "agent-new")
    await page.fill("#f-name", "Writer")
    await page.select_option("#f-adapter", "process")
    await page.fill("[name='cfg.process.command']", sys.executable)
    await page.fill("[name='cfg.process.args']", str(script))
    await page.click("button[type=submit]:has-text('Hire'), button[type=submit]:has-text('Create')")
    await expect(page).to_have_url(re.compile(r"/ACM/agents/writer"))
    page.watch.check()

    # Create and assign an issue; the run appears and its log streams in without a reload.
    await visit(page, "/ACM/issues")
    await page.keyboard.press("c")
    await page.fill("#ni-title", "Draft the launch post")
    await page.select_option("#ni-assignee", label="Writer")
    await page.click("#new-issue button:has-text('Create issue')")
    row = page.locator("tr[data-row]", has_text="Draft the launch post")
    await expect(row).to_be_visible()
    await shoot(page, "issues")
    ident = (await row.locator("td").first.inner_text()).strip()
    await visit(page, f"/ACM/issues/{ident}")
    run_link = page.locator("#issue-runs a", has_text="Writer")
    await expect(run_link).to_be_visible(timeout=20000)  # arrives by the live stream
    await shoot(page, "issue-detail")
    await run_link.first.click()
    log = page.locator("[data-run-log]")
    await expect(log).to_contain_text("step 1: working", timeout=20000)
    await expect(log).to_contain_text("step 6: working", timeout=20000)  # written after the page opened
    await expect(log).to_contain_text("done: reported 123 cents", timeout=20000)
    await shoot(page, "run")
    page.watch.check()

    # Comment with an @-mention: completion, then the mentioned agent wakes.
    await visit(page, f"/ACM/issues/{ident}")
    runs_before = await page.locator("#issue-runs li").count()
    await page.click("#comment-body")
    await page.keyboard.type("Please review this, @Wri")
    await expect(page.locator("#mention-list li", has_text="Writer")).to_be_visible()
    await page.keyboard.press("Enter")
    await expect(page.locator("#comment-body")).to_have_value(re.compile(r"@Writer "))
    await page.keyboard.press("Control+Enter")
    await expect(page.locator("#comment-list")).to_contain_text("Please review this")
    await expect(page.locator("#issue-runs li")).to_have_count(runs_before + 1, timeout=20000)
    page.watch.check()

    # Approve a hire: the company requires approval, a hire waits, the board approves it.
    await visit(page, "/ACM/company/settings", "company-settings")
    await page.check("[name=requireBoardApprovalForNewAgents]")
    async with page.expect_navigation():  # the saved form follows the server's X-Location
        await page.click("button:has-text('Save settings')")
    await expect(page.locator("[name=requireBoardApprovalForNewAgents]")).to_be_checked()
    await visit(page, "/ACM/agents/new")
    await page.fill("#f-name", "Reviewer")
    await page.fill("[name='cfg.process.command']", sys.executable)
    await page.fill("[name='cfg.process.args']", str(script))
    async with page.expect_navigation():
        await page.click("button[type=submit]:has-text('Hire'), button[type=submit]:has-text('Create')")
    await expect(page.locator("main")).to_contain_text("pending")
    await visit(page, "/ACM/approvals/pending", "approvals")
    await page.locator("tr", has_text="Reviewer").locator("a[href*='/approvals/']").first.click()
    await shoot(page, "approval-detail")
    await page.click("button[value=approve]")
    await expect(page.locator("main")).to_contain_text("approved")
    page.watch.check()

    # The cost the agent reported is on the dashboard.
    await visit(page, "/ACM/dashboard")
    # 123 cents per finished run of Writer (the task's run, then the @-mention's wake)
    await expect(page.locator(".stat", has_text="Spent this month")).to_contain_text(
        re.compile(r"\$(1\.23|2\.46|3\.69)")
    )
    await shoot(page, "dashboard")

    # Pause the agent.
    await visit(page, "/ACM/agents/writer")
    page.on("dialog", lambda d: d.accept())
    await page.click("button:has-text('Pause')")
    await expect(page.locator("main")).to_contain_text("paused")
    page.watch.check()

    # Every other page renders cleanly (screenshots for review).
    for path, name in [
        ("/ACM/inbox", "inbox"),
        ("/ACM/board", "board"),
        ("/ACM/agents/all", "agents"),
        ("/ACM/agents/writer", "agent-detail"),
        ("/ACM/org", "org"),
        ("/ACM/projects", "projects"),
        ("/ACM/goals", "goals"),
        ("/ACM/approvals/all", "approvals-all"),
        ("/ACM/costs", "costs"),
        ("/ACM/activity", "activity"),
        ("/instance/settings/general", "instance-settings"),
        ("/instance/settings/heartbeats", "instance-heartbeats"),
    ]:
        await visit(page, path, name)


async def test_drag_an_issue_across_the_board_and_it_stays(page, server):
    import httpx

    async with httpx.AsyncClient(base_url=server) as http:
        company = (await http.post("/api/companies", json={"name": "Acme Robotics"})).json()
        issue = (
            await http.post(
                f"/api/companies/{company['id']}/issues", json={"title": "Move me", "status": "todo"}
            )
        ).json()
    ident = issue["identifier"]
    await visit(page, "/ACM/board")
    card = page.locator(f"[data-card='{ident}']")
    await expect(page.locator("[data-dropzone='todo']").locator(card)).to_be_visible()
    await card.drag_to(page.locator("[data-dropzone='in_review']"))
    await expect(page.locator("[data-toasts]")).to_contain_text(f"{ident} → in review")
    await page.reload()
    await expect(page.locator("[data-dropzone='in_review'] [data-card]", has_text="Move me")).to_be_visible()
    await page.set_viewport_size(
        PHONE
    )  # the columns scroll inside the board: the page itself stays phone-wide
    assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    await page.set_viewport_size(DESKTOP)
    await shoot(page, "board-after-drag")
    page.watch.check()

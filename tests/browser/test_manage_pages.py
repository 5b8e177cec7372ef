"""UI-B's pages in a real browser: hire through the form (adapter fields switch), live run log, pause,
key shown once, approvals, costs, org chart, projects, goals, activity, settings — every page screenshot
at desktop and phone width, none with a console error, failed request or uncaught exception."""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime

import pytest

if os.environ.get("PAPERCLIP_BROWSER_TESTS") != "1":
    pytest.skip("browser journeys run from scripts/test-browser", allow_module_level=True)

from playwright.async_api import expect  # noqa: E402

from tests.browser.conftest import shoot  # noqa: E402

SCRIPT = "import time; [print(f'line {i} of the run', flush=True) or time.sleep(0.4) for i in range(6)]"


def check(page) -> None:
    """The page's problems, less live refreshes that a navigation aborted (a fetch in flight when the user
    leaves the page is not a failure)."""
    page.watch.problems = [
        p for p in page.watch.problems if not (p.startswith("request failed") and "ERR_ABORTED" in p)
    ]
    page.watch.check()


UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea, main button')]
  .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 120))"""


async def visit(page, url: str, shot: str):
    await page.goto(url)
    await page.wait_for_load_state("domcontentloaded")
    await shoot(page, shot)
    assert await page.evaluate(UNLABELLED) == [], f"controls without a label on {url}"
    check(page)


async def test_manage_pages_journey(page, tmp_path):
    api = page.request
    company = await (
        await api.post("/api/companies", data={"name": "Acme Robotics", "budgetMonthlyCents": 5000})
    ).json()
    cid = company["id"]
    ceo = await (
        await api.post(
            f"/api/companies/{cid}/agents", data={"name": "CEO", "role": "ceo", "title": "Chief Executive"}
        )
    ).json()
    for name in ("Builder", "Tester"):
        await api.post(
            f"/api/companies/{cid}/agents", data={"name": name, "role": "engineer", "reportsTo": ceo["id"]}
        )
    goal = await (
        await api.post(
            f"/api/companies/{cid}/goals",
            data={"title": "Best robot vacuum", "level": "company", "status": "active"},
        )
    ).json()
    await api.post(
        f"/api/companies/{cid}/goals", data={"title": "Ship v1", "level": "team", "parentId": goal["id"]}
    )
    project = await (
        await api.post(
            f"/api/companies/{cid}/projects",
            data={"name": "Vacuum v1", "goalIds": [goal["id"]], "leadAgentId": ceo["id"]},
        )
    ).json()
    await api.post(
        f"/api/companies/{cid}/cost-events",
        data={
            "agentId": ceo["id"],
            "provider": "anthropic",
            "model": "claude-test",
            "costCents": 321,
            "inputTokens": 5000,
            "outputTokens": 900,
            "projectId": project["id"],
            "occurredAt": datetime.now(UTC).isoformat(),
        },
    )

    # Hire through the form: the process adapter's fields show, the http adapter's are hidden.
    await visit(page, "/ACM/agents/all", "agents-list")
    await page.click("text=Hire an agent")
    await expect(page.locator("[data-adapter='http']")).to_be_hidden()
    await page.fill("#f-name", "Runner")
    await page.select_option("#f-reports", ceo["id"])
    await page.fill("#f-process-command", sys.executable)
    await page.fill("#f-process-args", f"-c\n{SCRIPT}")
    await shoot(page, "agent-new")
    await page.click("button:has-text('Hire agent')")
    await expect(page).to_have_url(re.compile(r"/ACM/agents/runner$"))
    check(page)

    # Wake now: the run page streams its log without a reload.
    await page.click("button:has-text('Wake now')")
    await expect(page).to_have_url(re.compile(r"/ACM/agents/runner/runs/[0-9a-f-]+$"))
    await expect(page.locator("[data-run-log]")).to_contain_text("line 5 of the run", timeout=30000)
    await expect(page.locator("[data-run-status]")).to_have_text("succeeded", timeout=30000)
    await shoot(page, "agent-run")
    check(page)

    for tab in ("overview", "configuration", "runs", "budget"):
        await visit(page, f"/ACM/agents/runner/{tab}", f"agent-{tab}")

    # An API key is shown once.
    await visit(page, "/ACM/agents/runner/keys", "agent-keys")
    await page.fill("#key-name", "laptop")
    await page.click("button:has-text('Create key')")
    await expect(page.locator("#new-token")).to_have_value(re.compile(r"^pcp_"))
    await shoot(page, "agent-key-created")
    check(page)

    # Pause from the header (confirm dialog accepted): the status changes in place.
    page.once("dialog", lambda d: d.accept())
    await page.goto("/ACM/agents/runner")
    await page.click("#agent-head button:has-text('Pause')")
    await expect(page.locator("#agent-head .pill")).to_have_text("paused")
    check(page)

    # A hire that needs approval, decided on the approval page.
    await api.patch(f"/api/companies/{cid}", data={"requireBoardApprovalForNewAgents": True})
    hire = await (
        await api.post(f"/api/companies/{cid}/agent-hires", data={"name": "Designer", "role": "designer"})
    ).json()
    await visit(page, "/ACM/approvals/pending", "approvals-pending")
    await page.click("text=Hire an agent")
    await expect(page).to_have_url(re.compile(rf"/ACM/approvals/{hire['approval']['id']}$"))
    await shoot(page, "approval-detail-b")
    await page.fill("#d-note", "Welcome aboard")
    await page.click("button[value='approve']")
    await expect(page.locator(".page-head .pill")).to_have_text("approved")
    check(page)

    await visit(page, "/ACM/org", "org-chart")
    await expect(page.locator("svg.org-chart a.org-node")).to_have_count(5)
    await visit(page, "/ACM/costs", "costs")
    await expect(page.locator("svg.bar-chart")).to_be_visible()
    await visit(page, "/ACM/projects", "projects")
    await visit(page, f"/ACM/projects/{project['id']}", "project-detail")
    await visit(page, f"/ACM/projects/{project['id']}/configuration", "project-configuration")
    await visit(page, "/ACM/goals", "goals")
    await visit(page, f"/ACM/goals/{goal['id']}", "goal-detail")
    await visit(page, "/ACM/activity", "activity")
    await visit(page, "/ACM/company/settings", "company-settings")
    for tab in ("general", "heartbeats", "adapters"):
        await visit(page, f"/instance/settings/{tab}", f"instance-{tab}")
    check(page)

"""A run's page follows the run to its end without a reload: when the run finishes while the page is
open, every part that depends on its status changes — the status pill, the agent's "Running now"
banner, the duration and finished time, the cancel button, the exit code and the run's cost."""

from __future__ import annotations

import os
import re
import sys
import textwrap

import pytest

if os.environ.get("PAPERCLIP_BROWSER_TESTS") != "1":
    pytest.skip("browser journeys run from scripts/test-browser", allow_module_level=True)

from playwright.async_api import expect  # noqa: E402

from tests.browser.conftest import report_cost, shoot  # noqa: E402

# The agent runs until the test creates its go-file (no timing), then reports a cost of its run.
AGENT_SCRIPT = textwrap.dedent("""
    import pathlib, sys, time
    print("waiting for the go-file", flush=True)
    go = pathlib.Path(sys.argv[1])
    while not go.exists():
        time.sleep(0.1)
""") + report_cost(321)

STATE = """() => ({
  banner: !!document.querySelector('.live-notice'),
  cancel: [...document.querySelectorAll('#run-facts button')].some((b) => b.textContent.includes('Cancel run')),
  duration: document.querySelector('#run-facts [data-run-duration]').textContent.trim(),
  state: document.querySelector('#run-facts').dataset.runState,
})"""


@pytest.mark.parametrize("stream", ["open", "lost"])
async def test_run_page_follows_the_run_to_its_end(page, tmp_path, stream):
    """`lost`: the page's event stream is gone when the run ends (the end is learnt from the log's poll)."""
    script = tmp_path / "agent.py"
    script.write_text(AGENT_SCRIPT)
    go = tmp_path / "go"
    api = page.request
    company = await (await api.post("/api/companies", data={"name": "Acme Robotics"})).json()
    agent = await (
        await api.post(
            f"/api/companies/{company['id']}/agents",
            data={
                "name": "Runner",
                "adapterType": "process",
                "adapterConfig": {"command": sys.executable, "args": [str(script), str(go)]},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        )
    ).json()
    woke = await api.post(f"/api/agents/{agent['id']}/wakeup", data={"source": "on_demand"})
    assert woke.status == 202
    run_id = (await woke.json())["id"]

    await page.goto(f"/ACM/agents/runner/runs/{run_id}")
    facts = page.locator("#run-facts")
    banner = page.locator(".live-notice")
    cancel = facts.locator("button:has-text('Cancel run')")
    log = page.locator("[data-run-log]")
    await expect(log).to_contain_text("waiting for the go-file", timeout=30000)
    await expect(page.locator("[data-run-status]")).to_have_text("running")
    await expect(banner).to_contain_text("running run")
    await expect(cancel).to_be_visible()
    await expect(facts.locator("dd[data-run-duration]")).to_have_text("running")
    await expect(facts.locator("[data-run-exit-code]")).to_have_count(0)
    if stream == "open":
        await shoot(page, "run-live")
    else:
        await page.evaluate("window.pcLive.close()")

    go.write_text("go")  # the run finishes while the page stays open
    await expect(log).to_contain_text("done: reported 321 cents", timeout=30000)
    await expect(page.locator("[data-run-status]")).to_have_text("succeeded", timeout=30000)
    # the status-dependent parts changed with the status, not one after the other
    seen = await page.evaluate(STATE)
    assert seen == {"banner": False, "cancel": False, "duration": seen["duration"], "state": "succeeded"}
    assert seen["duration"] != "running"
    await expect(banner).to_have_count(0)
    await expect(cancel).to_have_count(0)
    await expect(facts.locator("dd[data-run-duration]")).to_have_text(
        re.compile(r"^\d+(\.\d)?s$|^\d+m \d+s$")
    )
    await expect(facts.locator("dd[data-run-finished]")).not_to_have_text("—")
    await expect(facts.locator("[data-run-exit-code]")).to_have_text("0")
    await expect(facts.locator("[data-run-cost]")).to_contain_text("$3.21", timeout=30000)
    await expect(page.locator("[data-log-state]")).to_have_text("")
    if stream == "open":
        await shoot(page, "run-finished")
    page.watch.check()

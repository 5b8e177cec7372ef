"""Browser journeys: Playwright (async) driving Debian's chromium against our server on 127.0.0.1.

Run by scripts/test-browser (which installs chromium and sets PAPERCLIP_BROWSER_TESTS=1); skipped
otherwise. Every page a test opens is checked for console errors, failed requests and uncaught
exceptions; screenshots of every page at desktop and phone width go to test-output/screenshots/.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import textwrap
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PAPERCLIP_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(
    os.environ.get(
        "PAPERCLIP_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
    )
)
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}

if os.environ.get("PAPERCLIP_BROWSER_TESTS") != "1":
    pytest.skip("browser journeys run from scripts/test-browser", allow_module_level=True)


@pytest.fixture
async def server(make_settings, database_url):
    """Our app on a free 127.0.0.1 port with its lifespan (heartbeat runner included): agents' API URL
    points at it."""
    async for url in _serve(make_settings, database_url, {}):
        yield url


AUTH_ENV = {
    "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
    "BETTER_AUTH_SECRET": "test-better-auth-secret-0123456789",
}


@pytest.fixture
def auth_env():
    """Extra settings of `auth_server` (a test may add to it before the server starts)."""
    return dict(AUTH_ENV)


@pytest.fixture
async def auth_server(make_settings, database_url, auth_env):
    """The same, in authenticated mode (sign-in pages, board claim, invites)."""
    from paperclip.access import board_claim

    board_claim.reset_challenge()  # one challenge per server start, as in a real process
    async for url in _serve(make_settings, database_url, auth_env):
        yield url


async def _serve(make_settings, database_url, env):
    import uvicorn

    from paperclip.server.runtime import build_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(
        {
            **env,
            "PAPERCLIP_API_URL": f"http://127.0.0.1:{port}",
            **({"PAPERCLIP_AUTH_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"} if env else {}),
        }
    )
    app = build_app(settings, database_url, port, role="all")  # the journeys run agents: the runner too
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 30)


def report_cost(cents: int) -> str:
    """Python lines for an agent's script (the process adapter): report a cost of `cents` for its run
    through the API, as a real agent does, then say so in its output."""
    return textwrap.dedent(
        """
        import datetime, json, os, urllib.request
        body = {"agentId": os.environ["PAPERCLIP_AGENT_ID"], "provider": "anthropic", "model": "claude-test",
                "costCents": CENTS, "inputTokens": 1000, "outputTokens": 200,
                "heartbeatRunId": os.environ["PAPERCLIP_RUN_ID"],
                "occurredAt": datetime.datetime.now(datetime.timezone.utc).isoformat()}
        request = urllib.request.Request(
            os.environ["PAPERCLIP_API_URL"] + "/api/companies/" + os.environ["PAPERCLIP_COMPANY_ID"] + "/cost-events",
            data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": "Bearer " + os.environ["PAPERCLIP_API_KEY"], "Content-Type": "application/json",
                     "X-Paperclip-Run-Id": os.environ["PAPERCLIP_RUN_ID"]})
        urllib.request.urlopen(request).read()
        print("done: reported CENTS cents", flush=True)
        """
    ).replace("CENTS", str(cents))


class Watch:
    """Console errors, failed requests and uncaught exceptions of one page."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        page.on("requestfailed", self._failed)
        page.on(
            "response",
            lambda r: (
                self.problems.append(f"HTTP {r.status} {r.request.method} {r.url}")
                if r.status >= 400 and not self._expected(r)
                else None
            ),
        )
        self.expected_statuses: list[tuple[int, str]] = []

    def _expected(self, response) -> bool:
        return any(response.status == s and re.search(p, response.url) for s, p in self.expected_statuses)

    def _failed(self, request):
        # A navigation away aborts the page's open event stream and any live refresh in flight: reads
        # cut short by leaving the page are not failures (a mutation cut short is).
        if (
            "ERR_ABORTED" in (request.failure or "")
            and request.method == "GET"
            and request.resource_type in ("fetch", "eventsource", "xhr")
        ):
            return
        self.problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def check(self):
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser, server):
    context = await browser.new_context(viewport=DESKTOP, base_url=server)
    page = await context.new_page()
    page.set_default_timeout(15000)
    page.watch = Watch(page)
    yield page
    page.watch.check()
    await context.close()


async def shoot(page, name: str) -> None:
    """Screenshots of the current page at desktop and phone width (then back to desktop)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    # nothing may widen the page past a phone's width (wide content scrolls inside its own box)
    wide = await page.evaluate("document.documentElement.scrollWidth - innerWidth")
    if wide > 0 and hasattr(page, "watch"):
        page.watch.problems.append(f"{name}: the page is {wide}px wider than a phone")
    await page.set_viewport_size(DESKTOP)

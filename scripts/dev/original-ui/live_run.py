#!/usr/bin/env python3
"""Watch a run live in the original's web app (served by proxy.py): does its output show up while the
agent runs, and which websocket events carried it? Run it against the original and against ours.

    scripts/dev/original-ui/live_run.py --ui http://127.0.0.1:3198 --api http://127.0.0.1:3188

Seeds a company with a process agent printing a line a second, opens the run's page as soon as the run
exists, and prints when each line appeared in the page and the websocket frames by event type.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import CHROMIUM, FLAGS, api, record_websockets  # noqa: E402

LINES = 20
SCRIPT = f"for i in $(seq 1 {LINES}); do echo live-line-$i; sleep 1; done"


async def watch(ui: str, base: str) -> dict:
    from playwright.async_api import async_playwright

    company = api(base, "POST", "/companies", {"name": f"Live Run {time.strftime('%H%M%S')}"})
    agent = api(
        base,
        "POST",
        f"/companies/{company['id']}/agents",
        {"name": "Lively", "role": "engineer", "adapterType": "process",
         "adapterConfig": {"command": "sh", "args": ["-c", SCRIPT]}},
    )  # fmt: skip
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 860}, service_workers="block")
        page = await context.new_page()
        sockets = record_websockets(page)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text[:200]) if m.type == "error" else None)
        # the agent's page first (its websocket opens), then the run
        await page.goto(f"{ui}/{company['issuePrefix']}/agents/{agent['id']}", wait_until="networkidle")
        run = api(base, "POST", f"/agents/{agent['id']}/wakeup", {"source": "on_demand", "reason": "live"})
        started = time.monotonic()
        await page.goto(f"{ui}/{company['issuePrefix']}/agents/{agent['id']}/runs/{run['id']}")
        seen: dict[str, float] = {}
        while time.monotonic() - started < LINES + 20 and len(seen) < LINES:
            text = await page.evaluate("document.body ? document.body.innerText : ''")
            for i in range(1, LINES + 1):
                line = f"live-line-{i}"
                if line in text and line not in seen:
                    seen[line] = round(time.monotonic() - started, 2)
            await page.wait_for_timeout(250)
        status = api(base, "GET", f"/heartbeat-runs/{run['id']}").get("status")
        await browser.close()
    return {"linesSeenAt": seen, "runStatusAtEnd": status, "websockets": sockets, "consoleErrors": errors}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ui", required=True)
    parser.add_argument("--api", required=True)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(watch(args.ui, args.api)), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Drive the original's web app (served by proxy.py) over its board pages and record what it asks
of the API: every /api request with its status, per page whether a company rendered, console errors.

    scripts/dev/original-ui/measure.py --ui http://127.0.0.1:3198 --api http://127.0.0.1:3188 \
        --out scripts/dev/original-ui/endpoints-ours.json

--api is the upstream the proxy forwards to: the script seeds one company there (agent, goal,
project, issue, approval) through the public API, so run it against an empty or throwaway instance.
Run it once against the original (through a second proxy) and once against ours, then
``report.py`` compares the two. Needs Playwright (the dev extra) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
import urllib.request
from urllib.parse import urlsplit

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
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def api(base: str, method: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(
        base + "/api" + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Origin": base},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def seed(base: str) -> dict:
    """One company with something on every page; returns the ids the page URLs need."""
    stamp = time.strftime("%H%M%S")
    company = api(base, "POST", "/companies", {"name": f"Measure Works {stamp}", "budgetMonthlyCents": 50000})
    cid = company["id"]
    agent = api(
        base,
        "POST",
        f"/companies/{cid}/agents",
        {
            "name": "Ada",
            "role": "ceo",
            "title": "Chief Executive",
            "adapterType": "process",
            "adapterConfig": {"command": "true"},
        },
    )
    goal = api(
        base, "POST", f"/companies/{cid}/goals", {"title": "Ship the first product", "level": "company"}
    )
    project = api(base, "POST", f"/companies/{cid}/projects", {"name": "Launch", "goalIds": [goal["id"]]})
    issue = api(
        base,
        "POST",
        f"/companies/{cid}/issues",
        {
            "title": "Write the launch plan",
            "description": "Plan it.",
            "projectId": project["id"],
            "goalId": goal["id"],
            "assigneeAgentId": agent["id"],
            "status": "todo",
            "priority": "high",
        },
    )
    api(base, "POST", f"/issues/{issue['id']}/comments", {"body": "First comment"})
    approval = api(
        base,
        "POST",
        f"/companies/{cid}/approvals",
        {"type": "approve_ceo_strategy", "payload": {"plan": "Grow"}, "requestedByAgentId": agent["id"]},
    )
    run = api(base, "POST", f"/agents/{agent['id']}/wakeup", {"source": "on_demand", "reason": "measure"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a finished run, for the run page
        if api(base, "GET", f"/heartbeat-runs/{run['id']}").get("status") not in ("queued", "running"):
            break
        time.sleep(0.5)
    return {
        "company": company,
        "agent": agent,
        "run": run,
        "goal": goal,
        "project": project,
        "issue": issue,
        "approval": approval,
    }


def pages(ids: dict) -> list[str]:
    p = ids["company"]["issuePrefix"]
    return [
        f"/{p}/dashboard",
        f"/{p}/companies",
        f"/{p}/company/settings",
        f"/{p}/skills",
        f"/{p}/org",
        f"/{p}/agents/all",
        f"/{p}/agents/new",
        f"/{p}/agents/{ids['agent']['id']}",
        f"/{p}/agents/{ids['agent']['id']}/runs/{ids['run']['id']}",
        f"/{p}/projects",
        f"/{p}/projects/{ids['project']['id']}",
        f"/{p}/issues",
        f"/{p}/issues/{ids['issue']['identifier']}",
        f"/{p}/routines",
        f"/{p}/goals",
        f"/{p}/goals/{ids['goal']['id']}",
        f"/{p}/approvals/pending",
        f"/{p}/approvals/{ids['approval']['id']}",
        f"/{p}/costs",
        f"/{p}/activity",
        f"/{p}/inbox/mine",
        "/instance/settings/general",
    ]


def template(path: str, ids: dict) -> str:
    """/api/issues/ACM-1 and /api/issues/<uuid> both become /api/issues/:id; the prefix :prefix."""
    path = UUID.sub(":id", path)
    path = path.replace(ids["issue"]["identifier"], ":id")
    return re.sub(rf"(?<=/){re.escape(ids['company']['issuePrefix'])}(?=/|$)", ":prefix", path)


def record_websockets(page) -> list[dict]:
    """Each websocket the page opens: its path, frames received by event type, errors, closed."""
    sockets: list[dict] = []

    def on_websocket(ws):
        entry: dict = {"path": UUID.sub(":id", urlsplit(ws.url).path), "frames": 0, "types": {}}
        sockets.append(entry)

        def received(payload):
            entry["frames"] += 1
            try:
                kind = json.loads(payload).get("type", "?")
            except (ValueError, AttributeError):
                kind = "?"
            entry["types"][kind] = entry["types"].get(kind, 0) + 1

        ws.on("framereceived", received)
        ws.on("socketerror", lambda err: entry.setdefault("errors", []).append(str(err)[:200]))
        ws.on("close", lambda _ws: entry.__setitem__("closed", True))

    page.on("websocket", on_websocket)
    return sockets


async def drive(ui: str, ids: dict, settle_ms: int, only: list[str] | None = None) -> dict:
    from playwright.async_api import async_playwright

    name = ids["company"]["name"]
    results = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 860}, service_workers="block")
        for url in pages(ids):
            if only and not any(o in url for o in only):
                continue
            page = await context.new_page()
            requests: list[dict] = []
            problems: list[str] = []
            page.on("console", lambda m, pr=problems: pr.append(m.text[:300]) if m.type == "error" else None)
            page.on("pageerror", lambda e, pr=problems: pr.append(f"uncaught: {str(e)[:300]}"))

            async def on_response(resp, rq=requests):
                parts = urlsplit(resp.url)
                if parts.path.startswith("/api/"):
                    entry = {"method": resp.request.method, "path": parts.path, "status": resp.status}
                    if parts.query:
                        entry["query"] = parts.query
                    rq.append(entry)
                    if resp.status >= 400:  # why it failed, for endpoints.md
                        try:
                            entry["body"] = (await resp.text())[:300]
                        except Exception:
                            pass

            def on_failed(req, rq=requests):
                parts = urlsplit(req.url)
                if parts.path.startswith("/api/"):
                    rq.append({"method": req.method, "path": parts.path, "status": 0})

            sockets = record_websockets(page)
            page.on("response", on_response)
            page.on("requestfailed", on_failed)
            try:
                await page.goto(ui + url, wait_until="networkidle", timeout=30000)
            except Exception as exc:  # a page that never settles is itself a finding
                problems.append(f"navigation: {str(exc)[:200]}")
            try:  # the app renders after its queries settle: wait for the company's name, then a little more
                await page.wait_for_function(
                    "n => document.body && document.body.innerText.includes(n)", arg=name, timeout=8000
                )
            except Exception:
                pass
            await page.wait_for_timeout(settle_ms)
            text = await page.evaluate("document.body ? document.body.innerText : ''")
            results.append(
                {
                    "page": url,
                    "rendersCompany": name in text,
                    "textLength": len(text),
                    "consoleErrors": problems,
                    "requests": requests,
                    "websockets": sockets,
                }
            )
            await page.close()
        await browser.close()
    for r in results:
        for q in r["requests"]:
            q["endpoint"] = f"{q['method']} {template(q['path'], ids)}"
    return {
        "pages": results,
        "ids": {
            k: {f: v.get(f) for f in ("id", "identifier", "issuePrefix", "urlKey", "name")}
            for k, v in ids.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ui", required=True, help="the proxy serving the original's web app")
    parser.add_argument("--api", required=True, help="the API the proxy forwards to (seeded here)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--settle-ms", type=int, default=1500)
    parser.add_argument(
        "--only", default="", help="comma-separated substrings: open only the pages matching one"
    )
    args = parser.parse_args()
    ids = seed(args.api)
    only = [o for o in args.only.split(",") if o]
    result = asyncio.run(drive(args.ui, ids, args.settle_ms, only))
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    ok = sum(p["rendersCompany"] for p in result["pages"])
    print(f"{ok}/{len(result['pages'])} pages render the company; wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

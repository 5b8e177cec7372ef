from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx


async def _events(response, wanted: str, timeout: float = 10.0, match=None):
    """Read SSE frames until one of type `wanted` arrives; returns (frames seen, that frame)."""
    frames, buf = [], ""
    deadline = time.monotonic() + timeout
    lines = response.extensions.setdefault("test_lines", response.aiter_lines())
    while time.monotonic() < deadline:
        line = await asyncio.wait_for(lines.__anext__(), timeout=deadline - time.monotonic())
        if line:
            buf += line + "\n"
            continue
        frame = {}
        for part in buf.splitlines():
            key, _, value = part.partition(": ")
            frame[key] = value
        buf = ""
        frames.append(frame)
        if frame.get("event") == wanted and (match is None or match(json.loads(frame["data"]))):
            return frames, frame
    raise AssertionError(f"no {wanted} event; saw {frames}")


async def _expect(response, wanted: str, timeout: float = 10.0, match=None):
    try:
        return await _events(response, wanted, timeout, match)
    except TimeoutError:
        raise AssertionError(f"no {wanted} event within {timeout}s") from None


async def test_stream_carries_activity_runs_and_badges(live_url, company, agent):
    prefix = company["issuePrefix"]
    async with httpx.AsyncClient(base_url=live_url, timeout=20) as http:
        async with http.stream("GET", f"/{prefix}/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            frames, badges = await _expect(stream, "badges")
            assert json.loads(badges["data"]) == {"inbox": 0, "approvals": 0}
            created = await http.post(
                f"/api/companies/{company['id']}/issues",
                json={"title": "Live one", "assigneeAgentId": agent["id"]},
            )
            assert created.status_code == 201
            _, activity = await _expect(stream, "activity")
            data = json.loads(activity["data"])
            assert data["entityType"] in ("issue", "agent") and activity["id"].isdigit()
            _, run = await _expect(stream, "run")
            assert json.loads(run["data"])["agentId"] == agent["id"]
            assert json.loads(run["data"])["status"] == "queued"


async def test_stream_resumes_from_last_event_id(live_url, company):
    prefix = company["issuePrefix"]
    async with httpx.AsyncClient(base_url=live_url, timeout=20) as http:
        mark = str(int(time.time() * 1000) - 1000)
        await http.post(f"/api/companies/{company['id']}/issues", json={"title": "While away"})
        async with http.stream("GET", f"/{prefix}/events", headers={"Last-Event-ID": mark}) as stream:
            _, activity = await _expect(stream, "activity", match=lambda d: d["action"] == "issue.created")
            assert activity["id"].isdigit()


async def test_stream_of_another_company_is_not_found(live_url):
    async with httpx.AsyncClient(base_url=live_url, timeout=20) as http:
        response = await http.get("/NOPE/events")
        assert response.status_code == 404


async def test_stream_tails_the_log_of_a_running_agent_process(app_with_runner, live_url, company):
    prefix = company["issuePrefix"]
    script = "import time\nfor i in range(40):\n    print('line', i, flush=True)\n    time.sleep(0.25)\n"
    async with httpx.AsyncClient(base_url=live_url, timeout=20) as http:
        hired = await http.post(
            f"/api/companies/{company['id']}/agents",
            json={
                "name": "Talker",
                "adapterType": "process",
                "adapterConfig": {"command": sys.executable, "args": ["-c", script]},
            },
        )
        assert hired.status_code == 201, hired.text
        woke = await http.post(f"/api/agents/{hired.json()['id']}/wakeup", json={"source": "on_demand"})
        assert woke.status_code == 202, woke.text
        run_id = woke.json()["id"]
        async with http.stream("GET", f"/{prefix}/events?runs={run_id}") as stream:
            seen = []
            while len(seen) < 3:
                _, frame = await _expect(stream, "log", timeout=20)
                data = json.loads(frame["data"])
                assert data["runId"] == run_id
                seen.append(data)
            assert "line 0" in "".join(d["chunk"] for d in seen)
            assert [d["seq"] for d in seen] == sorted(d["seq"] for d in seen)
        await http.post(f"/api/heartbeat-runs/{run_id}/cancel")

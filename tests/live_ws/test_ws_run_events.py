"""The company websocket's run events with a real process agent run by the server's own runner:
`heartbeat.run.queued` / `.status` / `.event` / `.log` / `.progress` and `agent.status`, in the
original's shapes and order (recorded from the original while a process agent ran)."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

TERMINAL = {"succeeded", "failed", "timed_out", "cancelled"}


def _ws(base: str, company_id: str) -> str:
    return base.replace("http://", "ws://") + f"/api/companies/{company_id}/events/ws"


async def _collect_run(ws, timeout: float = 60) -> list[dict]:
    """Messages until a run ended and the agent's status after it arrived."""
    out: list[dict] = []

    async def read():
        ended = False
        while True:
            message = json.loads(await ws.recv())
            out.append(message)
            if message["type"] == "heartbeat.run.status" and message["payload"]["status"] in TERMINAL:
                ended = True
            if ended and message["type"] == "agent.status":
                return

    await asyncio.wait_for(read(), timeout)
    return out


async def _company_with_agent(http: httpx.AsyncClient, script: str) -> tuple[str, dict]:
    company = (await http.post("/api/companies", json={"name": "Runs Live"})).json()
    agent = (
        await http.post(
            f"/api/companies/{company['id']}/agents",
            json={
                "name": "Ada",
                "adapterType": "process",
                "adapterConfig": {"command": "sh", "args": ["-c", script]},
            },
        )
    ).json()
    return company["id"], agent


def _of(messages: list[dict], kind: str) -> list[dict]:
    return [m for m in messages if m["type"] == kind]


async def test_a_run_streams_its_status_events_output_and_the_agents_status(live_server):
    script = "echo line-1; echo err-1 1>&2; sleep 0.2; echo line-2; sleep 0.2; echo line-3"
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        cid, agent = await _company_with_agent(http, script)
        async with connect(_ws(live_server, cid)) as ws:
            woken = await http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"})
            assert woken.status_code == 202, woken.text
            run_id = woken.json()["id"]
            messages = await _collect_run(ws)
    assert all(m["companyId"] == cid for m in messages)
    assert [m["id"] for m in messages] == sorted(m["id"] for m in messages)
    mine = [m for m in messages if m["payload"].get("runId", run_id) == run_id]

    (queued,) = _of(mine, "heartbeat.run.queued")
    assert queued["payload"] == {
        "runId": run_id,
        "agentId": agent["id"],
        "invocationSource": "on_demand",
        "triggerDetail": "manual",
        "wakeupRequestId": woken.json()["wakeupRequestId"],
    }
    running, ended = _of(mine, "heartbeat.run.status")
    assert set(running["payload"]) == {
        "runId", "agentId", "status", "invocationSource", "triggerDetail", "error", "errorCode", "startedAt",
        "finishedAt",
    }  # fmt: skip
    assert running["payload"]["status"] == "running" and running["payload"]["startedAt"]
    assert running["payload"]["finishedAt"] is None
    assert set(ended["payload"]) == set(running["payload"]) | {"issueId", "contextSource", "finalText"}
    assert ended["payload"]["status"] == "succeeded" and ended["payload"]["finishedAt"]

    agent_running, agent_after = _of(mine, "agent.status")
    assert agent_running["payload"] == {"agentId": agent["id"], "status": "running", "outcome": "running"}
    assert agent_after["payload"]["status"] == "idle" and agent_after["payload"]["outcome"] == "succeeded"
    assert agent_after["payload"]["lastHeartbeatAt"]

    events = _of(mine, "heartbeat.run.event")
    assert [e["payload"]["seq"] for e in events] == sorted({e["payload"]["seq"] for e in events})
    assert (
        events[0]["payload"]["eventType"] == "lifecycle" and events[0]["payload"]["message"] == "run started"
    )
    assert events[-1]["payload"]["message"] == "run succeeded" and events[-1]["payload"]["level"] == "info"
    assert {"seq", "eventType", "stream", "level", "color", "message", "lastEventAt", "payload"} <= set(
        events[0]["payload"]
    )

    logs = _of(mine, "heartbeat.run.log")
    stdout = "".join(m["payload"]["chunk"] for m in logs if m["payload"]["stream"] == "stdout")
    stderr = "".join(m["payload"]["chunk"] for m in logs if m["payload"]["stream"] == "stderr")
    assert "line-1\nline-2\nline-3\n" in stdout and "err-1\n" in stderr
    seqs = [m["payload"]["seq"] for m in logs]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert set(logs[0]["payload"]) == {
        "runId",
        "agentId",
        "issueId",
        "ts",
        "seq",
        "stream",
        "chunk",
        "truncated",
    }
    assert logs[0]["payload"]["truncated"] is False and logs[0]["payload"]["agentId"] == agent["id"]
    progress = _of(mine, "heartbeat.run.progress")
    assert progress and progress[0]["payload"]["phase"] == "run_activity"
    assert progress[0]["payload"]["message"] == "Receiving agent output"

    order = [m["type"] for m in mine]
    assert (
        order.index("heartbeat.run.queued")
        < order.index("heartbeat.run.status")
        < order.index("agent.status")
    )
    assert max(messages.index(m) for m in logs) < messages.index(ended)  # all output before the end
    assert messages.index(ended) < messages.index(agent_after)
    assert order.index("heartbeat.run.progress") < order.index("heartbeat.run.log")


async def test_a_failing_run_reports_its_error_and_the_agent_in_error(live_server):
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        cid, agent = await _company_with_agent(http, "echo boom; exit 3")
        issue = (
            await http.post(f"/api/companies/{cid}/issues", json={"title": "Broken", "status": "todo"})
        ).json()
        async with connect(_ws(live_server, cid)) as ws:
            woken = await http.post(
                f"/api/agents/{agent['id']}/wakeup",
                json={"source": "on_demand", "payload": {"issueId": issue["id"]}},
            )
            run_id = woken.json()["id"]
            messages = await _collect_run(ws)
    ended = [m for m in _of(messages, "heartbeat.run.status") if m["payload"]["status"] in TERMINAL][-1]
    assert ended["payload"]["runId"] == run_id and ended["payload"]["status"] == "failed"
    assert ended["payload"]["error"] and ended["payload"]["issueId"] == issue["id"]
    after = _of(messages, "agent.status")[-1]["payload"]
    assert after == {
        "agentId": agent["id"],
        "status": "error",
        "lastHeartbeatAt": after["lastHeartbeatAt"],
        "outcome": "failed",
    }
    logs = _of(messages, "heartbeat.run.log")
    assert "boom\n" in "".join(m["payload"]["chunk"] for m in logs)
    assert all(m["payload"]["issueId"] == issue["id"] for m in logs)
    assert _of(messages, "heartbeat.run.event")[-1]["payload"]["level"] == "error"


async def test_a_socket_opened_mid_run_gets_the_output_from_then_on(live_server, tmp_path):
    flag = tmp_path / "go"
    script = f"echo early; while [ ! -f {flag} ]; do sleep 0.05; done; echo late"
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        cid, agent = await _company_with_agent(http, script)
        async with connect(_ws(live_server, cid)) as first:
            await http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"})

            async def early():
                while True:
                    message = json.loads(await first.recv())
                    if message["type"] == "heartbeat.run.log" and "early" in message["payload"]["chunk"]:
                        return

            await asyncio.wait_for(early(), 60)
            async with connect(_ws(live_server, cid)) as second:
                flag.write_text("")
                messages = await _collect_run(second)
    chunks = "".join(m["payload"]["chunk"] for m in _of(messages, "heartbeat.run.log"))
    assert "late\n" in chunks and "early" not in chunks
    assert [m["payload"]["status"] for m in _of(messages, "heartbeat.run.status")] == ["succeeded"]

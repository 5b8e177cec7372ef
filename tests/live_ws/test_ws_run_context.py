"""The company websocket's run events carry what the run knows, as the original's do: a claude-style
agent's current tool and last words from its streamed JSON (`currentToolName`,
`lastAssistantSnippet`), its final answer (`finalText`) and what woke it (`contextSource`:
`issue.create` for an assignment at creation); a process agent woken by hand keeps them null."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
from test_ws_run_events import _collect_run, _of, _ws
from websockets.asyncio.client import connect

FAKE_CLAUDE = """#!/bin/sh
cat > /dev/null
echo '{"type":"system","subtype":"init","session_id":"s-1"}'
echo '{"type":"assistant","message":{"content":[{"type":"text","text":"Looking   at the issue"},{"type":"tool_use","name":"Bash","input":{}}]}}'
sleep 1
echo '{"type":"result","subtype":"success","result":"All done: fixed it.","session_id":"s-1","usage":{"input_tokens":1,"output_tokens":2}}'
"""
PROCESS_SCRIPT = """echo '{"type":"result","result":"x"}'"""


async def test_claude_runs_report_tool_snippet_final_text_and_context(live_server, tmp_path: Path):
    script = tmp_path / "fake-claude"
    script.write_text(FAKE_CLAUDE)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        company = (await http.post("/api/companies", json={"name": "Ctx Live"})).json()
        cid = company["id"]
        agent = (
            await http.post(
                f"/api/companies/{cid}/agents",
                json={"name": "Cl", "adapterType": "claude_local", "adapterConfig": {"command": str(script)}},
            )
        ).json()
        async with connect(_ws(live_server, cid)) as ws:
            issue = await http.post(
                f"/api/companies/{cid}/issues",
                json={"title": "Fix it", "assigneeAgentId": agent["id"], "status": "todo"},
            )
            assert issue.status_code == 201, issue.text
            messages = await _collect_run(ws)
    progress = _of(messages, "heartbeat.run.progress")
    assert progress and progress[0]["payload"]["currentToolName"] == "Bash"
    assert progress[0]["payload"]["lastAssistantSnippet"] == "Looking at the issue"
    # Which run events fall in the second the tool runs depends on when the runner writes them (all may
    # come before the first output under load): the progress message above is where the tool shows.
    events = _of(messages, "heartbeat.run.event")
    ended = [m for m in _of(messages, "heartbeat.run.status") if m["payload"]["status"] == "succeeded"]
    assert ended, [m["payload"] for m in _of(messages, "heartbeat.run.status")]
    assert ended[0]["payload"]["finalText"] == "All done: fixed it."
    assert ended[0]["payload"]["contextSource"] == "issue.create"
    # the final result line arrives with the run's end: the last run events show it
    last_event = events[-1]["payload"]
    assert (
        last_event["lastAssistantSnippet"] == "All done: fixed it." and last_event["currentToolName"] is None
    )


async def test_a_process_agent_woken_by_hand_keeps_them_null(live_server):
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        cid = (await http.post("/api/companies", json={"name": "Plain Live"})).json()["id"]
        agent = (
            await http.post(
                f"/api/companies/{cid}/agents",
                json={
                    "name": "P",
                    "adapterType": "process",
                    "adapterConfig": {"command": "sh", "args": ["-c", PROCESS_SCRIPT]},
                },
            )
        ).json()
        async with connect(_ws(live_server, cid)) as ws:
            await http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"})
            messages = await _collect_run(ws)
    for m in messages:
        for key in ("currentToolName", "lastAssistantSnippet", "finalText", "contextSource"):
            assert m["payload"].get(key) is None, (m["type"], key, m["payload"])

"""claude_local and codex_local with fake CLIs printing the real tools' output formats: usage, cost,
sessions resumed on the next wake for the same task, fresh sessions on assignment, and a run whose
cost crosses the agent's hard budget stop."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from hb_support import write_script

from paperclip.clock import utcnow
from paperclip.db.engine import unit_of_work
from paperclip.db.models import ActivityLog, Agent, AgentTaskSession, BudgetPolicy, CostEvent, HeartbeatRun
from paperclip.heartbeat.wakeups import request_wakeup

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")

FAKE_CLAUDE = """
import json, sys, uuid
args = sys.argv[1:]
prompt = sys.stdin.read()
open({log!r}, "a").write(json.dumps({{"args": args, "prompt": prompt}}) + "\\n")
session = args[args.index("--resume") + 1] if "--resume" in args else str(uuid.uuid4())
print(json.dumps({{"type": "result", "subtype": "success", "is_error": False, "duration_ms": 1200, "num_turns": 2,
                  "result": "Worked on it.", "session_id": session, "total_cost_usd": {cost},
                  "usage": {{"input_tokens": 100, "cache_creation_input_tokens": 20, "cache_read_input_tokens": 300,
                            "output_tokens": 50}},
                  "modelUsage": {{"claude-sonnet-4-5": {{"inputTokens": 100}}}}}}))
"""

FAKE_CODEX = """
import json, sys
args = sys.argv[1:]
prompt = sys.stdin.read()
open({log!r}, "a").write(json.dumps({{"args": args, "prompt": prompt}}) + "\\n")
thread = args[args.index("resume") + 1] if "resume" in args else "0199-thread-abc"
for event in [
    {{"type": "thread.started", "thread_id": thread}},
    {{"type": "turn.started"}},
    {{"type": "item.completed", "item": {{"id": "item_0", "type": "reasoning", "text": "thinking"}}}},
    {{"type": "item.completed", "item": {{"id": "item_1", "type": "agent_message", "text": "All done."}}}},
    {{"type": "turn.completed", "usage": {{"input_tokens": 1000, "cached_input_tokens": 400, "output_tokens": 70}}}},
]:
    print(json.dumps(event), flush=True)
"""


async def wake(app, company, agent, issue, reason="issue_commented", source="automation"):
    async with unit_of_work(app.state.sessions) as session:
        out = await request_wakeup(
            session,
            company_id=company,
            agent_id=agent,
            source=source,
            reason=reason,
            now=utcnow(),
            payload={"issueId": issue},
            context={"issueId": issue, "taskKey": issue},
        )
    return out.run_id


def calls(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_claude_local_parses_usage_cost_and_resumes_the_task_session(app, factory, tmp_path):
    log = tmp_path / "claude.log"
    cli = write_script(tmp_path / "claude", FAKE_CLAUDE.format(log=str(log), cost=0.0312))
    company = await factory.company()
    agent = await factory.agent(
        company,
        adapter_type="claude_local",
        config={
            "command": str(cli),
            "model": "claude-sonnet-4-5",
            "maxTurnsPerRun": 5,
            "extraArgs": ["--verbose"],
            "promptTemplate": "Hi {{agent.name}}: {{context.wakeReason}}",
        },
        name="Ada",
    )
    issue = str(uuid.uuid4())
    first = await factory.wait_run(
        await wake(app, company, agent, issue, reason="issue_assigned", source="assignment")
    )
    assert first.status == "succeeded", first.error
    assert first.usage_json == {"inputTokens": 120, "outputTokens": 50, "cachedInputTokens": 300}
    session_id = first.session_id_after
    assert session_id and first.session_id_before is None
    args = calls(log)[0]["args"]
    assert args[:3] == ["--print", "--output-format", "json"] and "--resume" not in args
    assert (
        args[args.index("--model") + 1] == "claude-sonnet-4-5" and args[args.index("--max-turns") + 1] == "5"
    )
    assert "--verbose" in args and calls(log)[0]["prompt"] == "Hi Ada: issue_assigned"
    cost = (
        await factory.rows(
            sa.select(
                CostEvent.cost_cents, CostEvent.provider, CostEvent.model, CostEvent.input_tokens
            ).where(CostEvent.heartbeat_run_id == first.id)
        )
    )[0]
    assert tuple(cost) == (3, "anthropic", "claude-sonnet-4-5", 120)
    # the cost's activity entry names the run's agent and the run (costs.service.record_run_cost)
    entry = await factory.rows(
        sa.select(
            ActivityLog.actor_type, ActivityLog.actor_id, ActivityLog.agent_id, ActivityLog.run_id
        ).where(ActivityLog.action == "cost.reported", ActivityLog.run_id == first.id)
    )
    assert [tuple(e) for e in entry] == [("agent", str(agent), agent, first.id)]

    second = await factory.wait_run(await wake(app, company, agent, issue))
    assert second.session_id_before == session_id and second.session_id_after == session_id
    args = calls(log)[1]["args"]
    assert args[args.index("--resume") + 1] == session_id

    third = await factory.wait_run(
        await wake(app, company, agent, issue, reason="issue_assigned", source="assignment")
    )
    assert (
        "--resume" not in calls(log)[2]["args"] and third.session_id_before is None
    )  # fresh on new assignment
    sessions = await factory.rows(
        sa.select(AgentTaskSession.task_key).where(AgentTaskSession.agent_id == agent)
    )
    assert [s.task_key for s in sessions] == [issue]


async def test_codex_local_parses_jsonl_and_resumes_by_thread_id(client, app, factory, tmp_path):
    log = tmp_path / "codex.log"
    cli = write_script(tmp_path / "codex", FAKE_CODEX.format(log=str(log)))
    company = await factory.company()
    agent = await factory.agent(
        company, adapter_type="codex_local", config={"command": str(cli), "model": "gpt-5-codex"}
    )
    issue = str(uuid.uuid4())
    first = await factory.wait_run(await wake(app, company, agent, issue))
    assert first.status == "succeeded", first.error
    assert first.usage_json == {"inputTokens": 1000, "outputTokens": 70, "cachedInputTokens": 400}
    assert first.session_id_after == "0199-thread-abc" and first.result_json["summary"] == "All done."
    assert calls(log)[0]["args"][:2] == ["exec", "--json"] and "resume" not in calls(log)[0]["args"]
    second = await factory.wait_run(await wake(app, company, agent, issue))
    args = calls(log)[1]["args"]
    assert args[args.index("resume") + 1] == "0199-thread-abc" and args[-1] == "-"
    assert second.session_id_before == "0199-thread-abc"
    state = (await client.get(f"/api/agents/{agent}/runtime-state")).json()
    assert state["totalInputTokens"] == 2000 and state["totalOutputTokens"] == 140
    assert len((await client.get(f"/api/agents/{agent}/task-sessions")).json()) == 1
    reset = await client.post(f"/api/agents/{agent}/runtime-state/reset-session", json={})
    assert reset.status_code == 200
    assert (await client.get(f"/api/agents/{agent}/task-sessions")).json() == []
    await factory.wait_run(await wake(app, company, agent, issue))
    assert "resume" not in calls(log)[2]["args"]


async def test_run_cost_crossing_the_hard_stop_pauses_the_agent_and_cancels_queued_work(
    client, app, factory, tmp_path
):
    log = tmp_path / "claude.log"
    cli = write_script(
        tmp_path / "claude", "import time; time.sleep(0.5)\n" + FAKE_CLAUDE.format(log=str(log), cost=0.5)
    )
    company = await factory.company()
    agent = await factory.agent(
        company, adapter_type="claude_local", config={"command": str(cli), "model": "m"}
    )
    async with unit_of_work(app.state.sessions) as session:
        await session.execute(
            sa.insert(BudgetPolicy).values(company_id=company, scope_type="agent", scope_id=agent, amount=10)
        )
    first = (await client.post(f"/api/agents/{agent}/wakeup", json={})).json()
    queued = (await client.post(f"/api/agents/{agent}/wakeup", json={})).json()
    assert queued["status"] == "queued"
    run = await factory.wait_run(first["id"])
    assert run.status == "succeeded"
    later = await factory.wait_run(queued["id"])
    assert later.status == "cancelled" and later.error_code == "budget_blocked"
    status, reason = (
        await factory.rows(sa.select(Agent.status, Agent.pause_reason).where(Agent.id == agent))
    )[0]
    assert (status, reason) == ("paused", "budget")
    res = await client.post(f"/api/agents/{agent}/wakeup", json={})
    assert res.status_code == 409
    assert (
        await factory.scalar(
            sa.select(sa.func.count())
            .select_from(HeartbeatRun)
            .where(HeartbeatRun.agent_id == agent, HeartbeatRun.status == "running")
        )
        == 0
    )

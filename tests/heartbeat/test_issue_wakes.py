"""Assignment and @-mention wakes from the issues API end in real agent runs."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from hb_support import write_script

from paperclip.db.models import HeartbeatRun

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")


async def runs_of(factory, agent):
    return await factory.rows(
        sa.select(HeartbeatRun.id, HeartbeatRun.context_snapshot).where(HeartbeatRun.agent_id == agent)
    )


async def test_assignment_and_mention_wakes_end_in_real_runs(client, factory, tmp_path):
    ledger = tmp_path / "wakes.jsonl"
    script = write_script(
        tmp_path / "agent.py",
        f"""
        import json, os
        keys = ("PAPERCLIP_AGENT_ID", "PAPERCLIP_WAKE_REASON", "PAPERCLIP_TASK_ID", "PAPERCLIP_WAKE_COMMENT_ID")
        with open({str(ledger)!r}, "a") as fh:
            fh.write(json.dumps({{k: os.environ.get(k) for k in keys}}) + "\\n")
    """,
    )
    company = await factory.company()
    builder = await factory.agent(company, name="Builder", config={"command": str(script)})
    reviewer = await factory.agent(company, name="Reviewer", config={"command": str(script)})
    res = await client.post(
        f"/api/companies/{company}/issues",
        json={"title": "Build it", "status": "todo", "assigneeAgentId": str(builder)},
    )
    assert res.status_code == 201, res.text
    issue = res.json()["id"]
    ((run_id, snapshot),) = await runs_of(factory, builder)
    assert snapshot["wakeReason"] == "issue_assigned"
    assert (await factory.wait_run(run_id)).status == "succeeded"

    res = await client.post(f"/api/issues/{issue}/comments", json={"body": "@Reviewer please take a look"})
    assert res.status_code == 201, res.text
    comment = res.json()["id"]
    reviewer_runs = await runs_of(factory, reviewer)
    assert [s["wakeReason"] for _, s in reviewer_runs] == ["issue_comment_mentioned"]
    assert (await factory.wait_run(reviewer_runs[0][0])).status == "succeeded"
    for run_id, _ in await runs_of(factory, builder):
        await factory.wait_run(run_id)

    wakes = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert {
        "PAPERCLIP_AGENT_ID": str(builder),
        "PAPERCLIP_WAKE_REASON": "issue_assigned",
        "PAPERCLIP_TASK_ID": issue,
        "PAPERCLIP_WAKE_COMMENT_ID": None,
    } in wakes
    assert {
        "PAPERCLIP_AGENT_ID": str(reviewer),
        "PAPERCLIP_WAKE_REASON": "issue_comment_mentioned",
        "PAPERCLIP_TASK_ID": issue,
        "PAPERCLIP_WAKE_COMMENT_ID": comment,
    } in wakes
    runs = (await client.get(f"/api/issues/{issue}/runs")).json()
    assert {r["agentId"] for r in runs} >= {str(builder), str(reviewer)}

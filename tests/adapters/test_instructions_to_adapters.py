"""The instructions bundle reaches the agent: claude_local gets the entry file as
--append-system-prompt-file, codex_local gets its text in front of the prompt; a missing file is
said in the run log and the run goes on."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from hb_support import write_script
from test_cli_adapters import FAKE_CLAUDE, FAKE_CODEX, calls, wake

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")


async def _bundle(client, agent, text: str) -> str:
    r = await client.put(
        f"/api/agents/{agent}/instructions-bundle/file", json={"path": "AGENTS.md", "content": text}
    )
    assert r.status_code == 200, r.text
    return (await client.get(f"/api/agents/{agent}")).json()["adapterConfig"]["instructionsFilePath"]


async def test_claude_gets_the_entry_file_as_its_system_prompt_file(client, app, factory, tmp_path):
    log = tmp_path / "claude.log"
    cli = write_script(tmp_path / "claude", FAKE_CLAUDE.format(log=str(log), cost=0))
    company = await factory.company()
    agent = await factory.agent(company, adapter_type="claude_local", config={"command": str(cli)})
    path = await _bundle(client, agent, "Always write tests first.")
    run = await factory.wait_run(await wake(app, company, agent, str(uuid.uuid4())))
    assert run.status == "succeeded", run.error
    args = calls(log)[0]["args"]
    given = args[args.index("--append-system-prompt-file") + 1]
    assert given == path and Path(given).read_text() == "Always write tests first."


async def test_codex_gets_the_instructions_in_front_of_the_prompt(client, app, factory, tmp_path):
    log = tmp_path / "codex.log"
    cli = write_script(tmp_path / "codex", FAKE_CODEX.format(log=str(log)))
    company = await factory.company()
    agent = await factory.agent(company, adapter_type="codex_local", config={"command": str(cli)})
    await _bundle(client, agent, "Never push to main.")
    run = await factory.wait_run(await wake(app, company, agent, str(uuid.uuid4())))
    assert run.status == "succeeded", run.error
    prompt = calls(log)[0]["prompt"]
    assert prompt.startswith("Never push to main.") and "heartbeat run" in prompt


async def test_a_missing_instructions_file_is_logged_and_the_run_goes_on(client, app, factory, tmp_path):
    log = tmp_path / "claude.log"
    cli = write_script(tmp_path / "claude", FAKE_CLAUDE.format(log=str(log), cost=0))
    company = await factory.company()
    agent = await factory.agent(
        company,
        adapter_type="claude_local",
        config={"command": str(cli), "cwd": str(tmp_path), "instructionsFilePath": "gone/AGENTS.md"},
    )
    run = await factory.wait_run(await wake(app, company, agent, str(uuid.uuid4())))
    assert run.status == "succeeded", run.error
    assert "--append-system-prompt-file" not in calls(log)[0]["args"]
    text = (await client.get(f"/api/heartbeat-runs/{run.id}/log")).json()["content"]
    assert f"instructions file {tmp_path}/gone/AGENTS.md not readable" in text

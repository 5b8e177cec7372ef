"""Archiving a company pauses its agents through the agents feature (issue 9): companies/ calls
agents/pausing.py's operations, installed by the composition root (paperclip/wiring.py), and writes
no agent's pause state itself. These tests fail if companies/ writes the agents table's status or
pause columns again or if the wiring misses the operations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperclip.companies import agent_pausing, lifecycle
from paperclip.wiring import COMPANY_AGENTS, install_governed

COMPANIES = Path(lifecycle.__file__).parent
# writes of the agents table (its own pause columns are the companies feature's to write)
FORBIDDEN = [
    (re.compile(r"(sa\.)?update\(\s*Agent\b"), "updates agents"),
    (re.compile(r"\bUPDATE\s+agents\b", re.I), "SQL update of agents"),
    (re.compile(r"\bagent\.(status|pause_reason|paused_at)\s*=(?!=)"), "sets an agent's status"),
]


def test_companies_write_no_agent_pause_state():
    found = []
    for path in sorted(COMPANIES.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for pattern, why in FORBIDDEN:
                if pattern.search(line):
                    found.append(f"{path.name}:{number}: {why}: {line.strip()}")
    assert found == []


def test_the_wiring_installs_the_agents_pausing():
    install_governed()
    assert agent_pausing.agent_pausing() is COMPANY_AGENTS


def test_archiving_refuses_to_run_unwired():
    saved = agent_pausing._installed
    agent_pausing.install(None)  # type: ignore[arg-type]
    try:
        with pytest.raises(RuntimeError, match="not installed"):
            agent_pausing.agent_pausing()
    finally:
        agent_pausing.install(saved)  # type: ignore[arg-type]


async def test_archiving_pauses_the_invokable_agents_and_stops_their_work(client, api, factory, db):
    cid = (await api.company())["id"]
    idle = (await api.agent(cid, "Idle"))["id"]
    by_hand = (await api.agent(cid, "ByHand"))["id"]
    gone = (await api.agent(cid, "Gone"))["id"]
    assert (await client.post(f"/api/agents/{by_hand}/pause")).status_code == 200
    assert (await client.post(f"/api/agents/{gone}/terminate")).status_code == 200
    run_id = await factory.heartbeat_run(cid, idle, status="queued")

    r = await client.post(f"/api/companies/{cid}/archive")
    assert r.status_code == 200 and r.json()["status"] == "archived"
    rows = {
        row["name"]: (row["status"], row["pause_reason"])
        for row in db.sql("SELECT name, status, pause_reason FROM agents WHERE company_id = %s", cid)
    }
    assert rows == {
        "Idle": ("paused", "company_archived"),
        "ByHand": ("paused", "manual"),
        "Gone": ("terminated", None),
    }
    assert db.one("SELECT status FROM heartbeat_runs WHERE id = %s", run_id)["status"] == "cancelled"
    archived = db.one(
        "SELECT details FROM activity_log WHERE company_id = %s AND action = 'company.archived'", cid
    )
    assert archived["details"]["agentsPaused"] == 1

    r = await client.patch(f"/api/companies/{cid}", json={"status": "active"})
    assert r.status_code == 200 and r.json()["status"] == "active"
    statuses = {
        row["name"]: row["status"]
        for row in db.sql("SELECT name, status FROM agents WHERE company_id = %s", cid)
    }
    assert statuses == {"Idle": "idle", "ByHand": "paused", "Gone": "terminated"}

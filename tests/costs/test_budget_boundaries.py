"""Budgets call the features they govern, not their tables (issue 9 part 4).

Pausing and resuming agents, companies and projects and opening and deciding approvals are those
features' service functions, installed for costs by the composition root (paperclip/wiring.py).
These tests fail if costs/ writes those tables again or if the wiring misses a scope."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperclip.costs import budgets, governed
from paperclip.wiring import GOVERNED, install_governed

COSTS = Path(budgets.__file__).parent
# ORM or SQL writes of a scope's pause state, and any write of approvals
FORBIDDEN = [
    # keyword values (`.values(paused_at=now)`) and attribute assignments; SQL reads may compare them
    (
        re.compile(r"(\b(pause_reason|paused_at)=(?!=)|\.(pause_reason|paused_at)\s*=(?!=))"),
        "sets a pause column",
    ),
    (re.compile(r"(\bstatus=|\.status\s*=(?!=)\s*)\"(paused|idle|active)\""), "sets an agent/company status"),
    (re.compile(r"(sa\.)?(insert|update)\(\s*Approval\b"), "writes approvals"),
    (re.compile(r"\b(INSERT\s+INTO|UPDATE)\s+(approvals|agents|companies|projects)\b", re.I), "SQL write"),
]


def test_costs_writes_no_pause_state_and_no_approvals():
    found = []
    for path in sorted(COSTS.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for pattern, why in FORBIDDEN:
                if pattern.search(line):
                    found.append(f"{path.name}:{number}: {why}: {line.strip()}")
    assert found == []


def test_every_scope_budgets_stop_has_its_features_operations():
    assert set(GOVERNED.pause) == set(GOVERNED.resume) == set(budgets.SCOPE_NOT_FOUND)
    install_governed()
    assert governed.governed() is GOVERNED


def test_budgets_refuse_to_run_unwired():
    saved = governed._installed
    governed.install(None)  # type: ignore[arg-type]
    try:
        with pytest.raises(RuntimeError, match="not installed"):
            governed.governed()
    finally:
        governed.install(saved)  # type: ignore[arg-type]

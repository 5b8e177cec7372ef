"""Every write to heartbeat_runs is a statement of paperclip/runs/queries.py (run by runs/lifecycle.py,
and heartbeat/ for the enqueues), and each status change it makes is a transition of
paperclip/runs/transitions.py: read from the SQL itself (the text of each `Sql` of the module), so a
new write elsewhere or an UPDATE whose `WHERE status` allows an illegal transition fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperclip.db.rawsql import Sql
from paperclip.runs import lifecycle, queries
from paperclip.runs.transitions import CREATED, ENDINGS, TRANSITIONS, allowed
from paperclip.vocabulary import RUN_STATUSES

SRC = Path(__file__).resolve().parents[2] / "src" / "paperclip"
QUERIES = SRC / "runs" / "queries.py"

# Ways to write the table: hand-written SQL, SQLAlchemy Core/ORM statements, ORM objects.
WRITE_PATTERNS = [
    re.compile(r"\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+heartbeat_runs\b", re.I),
    re.compile(r"sa\.(update|insert|delete)\(\s*HeartbeatRun\s*\)"),
    re.compile(r"\b(update|insert|delete)\(\s*(HeartbeatRun|RUNS)\s*\)"),
    re.compile(r"(?<!class )\bHeartbeatRun\("),
]
# A loaded HeartbeatRun's attributes changed (only looked for where the model is named: other
# features have runs of their own, e.g. routine runs).
ORM_WRITE = re.compile(r"\brun\w*\.(status|finished_at|error_code)\s*=[^=]")


def sources() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_only_the_lifecycle_module_writes_runs():
    found = []
    for path in sources():
        if path == QUERIES:
            continue
        text = path.read_text()
        patterns = WRITE_PATTERNS + ([ORM_WRITE] if "HeartbeatRun" in text else [])
        for pattern in patterns:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(SRC)}:{line}: {match.group(0)}")
    assert not found, "heartbeat_runs written outside paperclip/runs/queries.py:\n" + "\n".join(found)


def lifecycle_sql() -> str:
    """The text of every statement of paperclip/runs/queries.py, one after another."""
    return "\n\n".join(value.text for value in vars(queries).values() if isinstance(value, Sql))


def test_the_write_patterns_see_the_lifecycle_writes():
    text = lifecycle_sql()
    assert len(re.findall(r"UPDATE heartbeat_runs", text)) >= 8
    assert len(re.findall(r"INSERT INTO heartbeat_runs", text)) >= 4
    # and the module holds nothing else that could write the table
    source = QUERIES.read_text()
    assert len(WRITE_PATTERNS[0].findall(source)) == len(WRITE_PATTERNS[0].findall(text))


def statements(text: str, keyword: str) -> list[str]:
    """Each `UPDATE heartbeat_runs …` / `INSERT INTO heartbeat_runs …` up to its RETURNING, the end of
    its CTE (a `)` alone at the start of a line) or the end of the statement."""
    out = []
    for match in re.finditer(keyword + r" heartbeat_runs\b", text):
        rest = text[match.start() :]
        end = re.search(r"RETURNING|^\s*\),?|^\s*\)\s*$|^\s*$", rest, re.M)
        out.append(rest[: end.start()] if end else rest)
    return out


NEW_STATUS = re.compile(r"(?<![.\w])status\s*=\s*'(\w+)'")
CASE_STATUS = re.compile(
    r"(?<![.\w])status\s*=\s*CASE WHEN \w+\.status\s*=\s*'(\w+)' THEN \w+\.status ELSE \w+\.status END"
)
GUARD_EQ = re.compile(r"(?:\b\w+\.)?(?<![\w.])status\s*=\s*'(\w+)'|\b\w+\.status\s*=\s*'(\w+)'")
GUARD_IN = re.compile(r"(?:\b\w+\.)?status\s+IN\s*\(([^)]*)\)")


def transitions_of(update: str) -> tuple[set[str], set[str]]:
    """(the statuses the WHERE lets through, the statuses SET writes) of one UPDATE."""
    set_part, _, where = update.partition("WHERE")
    set_part = set_part.split(" FROM ")[0]
    case = CASE_STATUS.search(set_part)
    if case:  # running → the outcome's status (checked against ENDINGS by end_runs at run time)
        return {case.group(1)}, set(ENDINGS)
    new = set(NEW_STATUS.findall(set_part))
    old = {a or b for a, b in GUARD_EQ.findall(where)}
    for group in GUARD_IN.findall(where):
        old |= set(re.findall(r"'(\w+)'", group))
    return old, new


def test_every_status_change_is_a_declared_transition():
    updates = statements(lifecycle_sql(), "UPDATE")
    changes = 0
    for update in updates:
        old, new = transitions_of(update)
        if not new:
            continue  # not a status change (context merge, process record)
        changes += 1
        assert old, f"an UPDATE sets status {new} without guarding the old status:\n{update}"
        assert old <= RUN_STATUSES and new <= RUN_STATUSES, update
        for before in old:
            for after in new:
                assert allowed(before, after), f"{before} → {after} is not a transition:\n{update}"
    # claim (running, cancelled), end, fail (through end), cancel agent (queued, running), cancel run
    assert changes >= 6


def test_runs_are_inserted_queued():
    inserts = statements(lifecycle_sql(), "INSERT INTO")
    assert len(inserts) >= 4
    for insert in inserts:
        literals = set(re.findall(r"'(\w+)'", insert)) & RUN_STATUSES
        assert literals == {CREATED}, insert


def test_the_checker_catches_an_illegal_transition():
    old, new = transitions_of(
        "UPDATE heartbeat_runs SET status = 'queued' WHERE id = :id AND status = 'failed'"
    )
    assert not all(allowed(b, a) for b in old for a in new)
    old, new = transitions_of("UPDATE heartbeat_runs SET status = 'running' WHERE id = :id")
    assert new and not old


def test_the_table_covers_the_vocabulary():
    assert set(TRANSITIONS) == RUN_STATUSES
    assert all(not TRANSITIONS[s] for s in ENDINGS)  # terminal means terminal
    assert (
        allowed("queued", "running")
        and allowed("running", "succeeded")
        and not allowed("succeeded", "running")
    )


async def test_end_runs_refuses_a_status_that_is_not_an_ending():
    class Odd(lifecycle.Failure):
        pass

    odd = Odd("x", "y")
    odd.status = "queued"
    with pytest.raises(ValueError):
        await lifecycle.end_runs(None, [(object(), odd, None)], now=None)  # type: ignore[arg-type]

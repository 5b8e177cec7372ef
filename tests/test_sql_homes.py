"""Hand-written SQL has one home per feature: its `queries.py`, written with `paperclip.db.rawsql.Sql`
(issue 9). Read from the source with `ast`: a module of a feature folder other than `queries.py`
that calls `sa.text(` / `text(` or constructs `Sql(` fails here, named by module and line."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "paperclip"

# The statement helper itself and the models' server defaults (db/), and migrations (history).
EXEMPT = {"db", "migrations"}
# Folders whose SQL is still being moved into queries.py (another helper's work in progress); empty
# since sqlfeat and sqlweb landed theirs (2026-12-05). A folder listed here must still need it.
NOT_YET: set[str] = set()


def _statement_calls(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) of each `sa.text(...)`, `sqlalchemy.text(...)`, `text(...)` and `Sql(...)` call."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("text", "Sql"):
            found.append((node.lineno, f"{func.id}("))
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr == "text" and func.value.id in ("sa", "sqlalchemy"):
                found.append((node.lineno, f"{func.value.id}.text("))
            elif func.attr == "Sql":
                found.append((node.lineno, f"{func.value.id}.Sql("))
    return found


def misplaced_statements(src: Path = SRC, not_yet: set[str] = NOT_YET) -> list[str]:
    out = []
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src).parts
        if len(parts) < 2 or parts[0] in EXEMPT or parts[0] in not_yet or path.name == "queries.py":
            continue
        for line, what in _statement_calls(ast.parse(path.read_text(), str(path))):
            home = path.parent.relative_to(src.parent) / "queries.py"
            out.append(
                f"{path.relative_to(src.parent)}:{line}: {what}…) — hand-written SQL belongs in {home}, "
                "as a named paperclip.db.rawsql.Sql (or a small function building one per shape) that this "
                "module calls"
            )
    return out


def test_hand_written_sql_lives_in_queries_modules():
    misplaced = misplaced_statements()
    assert not misplaced, "SQL written outside its feature's queries.py:\n" + "\n".join(misplaced)


def test_not_yet_names_only_folders_that_still_need_it():
    """A folder whose SQL has moved leaves NOT_YET (so the guard covers it from then on)."""
    done = sorted(f for f in NOT_YET if not misplaced_statements(not_yet=NOT_YET - {f}))
    assert not done, (
        f"these folders have no SQL outside queries.py any more: remove them from NOT_YET: {done}"
    )


def test_the_guard_sees_every_form(tmp_path):
    feature = tmp_path / "paperclip" / "thing"
    feature.mkdir(parents=True)
    (feature / "service.py").write_text(
        "import sqlalchemy as sa\nfrom sqlalchemy import text\nfrom paperclip.db import rawsql\n"
        "A = sa.text('SELECT 1')\nB = text('SELECT 1')\nC = rawsql.Sql('SELECT 1')\n"
        "def f():\n    return Sql('SELECT 1')\n"
    )
    (feature / "queries.py").write_text("Q = Sql('SELECT 1')\n")
    found = misplaced_statements(tmp_path / "paperclip", set())
    assert [entry.split(": ")[0] for entry in found] == [
        f"paperclip/thing/service.py:{n}" for n in (4, 5, 6, 8)
    ]
    assert "paperclip/thing/queries.py" in found[0]

"""What a command prints: `--json` gives the API's body exactly; people get a table or a record."""

from __future__ import annotations

import json
import sys

_COLUMNS = (
    "identifier",
    "id",
    "urlKey",
    "name",
    "title",
    "status",
    "priority",
    "role",
    "kind",
    "type",
    "assigneeAgentId",
    "amountCents",
    "spentMonthlyCents",
    "budgetMonthlyCents",
    "action",
    "createdAt",
)
_MAX_COLUMNS = 6


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"))
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value)


def _rows(body: object) -> list | None:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("items", "data", "results"):
            if isinstance(body.get(key), list):
                return body[key]
    return None


def emit(body: object, as_json: bool) -> None:
    if as_json or not sys.stdout.isatty() and not isinstance(body, (list, dict)):
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    if isinstance(body, bytes):
        sys.stdout.buffer.write(body)
        return
    rows = _rows(body)
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if rows is not None:
        if not rows:
            console.print("(none)")
            return
        if not all(isinstance(row, dict) for row in rows):
            for row in rows:
                console.print(_cell(row))
            return
        present = [c for c in _COLUMNS if any(c in row for row in rows)]
        if "identifier" in present:
            present.remove("id")  # the identifier names the row for people
        present = present[:_MAX_COLUMNS]
        if not present:
            present = list(rows[0].keys())[:_MAX_COLUMNS]
        table = Table(show_header=True, header_style="bold")
        for column in present:
            table.add_column(column)
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in present))
        console.print(table)
        console.print(f"{len(rows)} row(s)", style="dim")
        return
    if isinstance(body, dict):
        table = Table(show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column()
        for key, value in body.items():
            table.add_row(key, _cell(value))
        console.print(table)
        return
    console.print(_cell(body))

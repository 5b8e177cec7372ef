"""Wire shapes declared once (a foundation: imports no feature). A `Shape` is a field table (wire name →
column and kind) from which both renderers of one wire object are made:

- Python: `Shape.python(...)` compiles a function returning the dict literal (the same code one would
  write by hand, so it costs no more than a hand-written renderer), over a mapping row (`row["col"]`,
  the default) or an ORM object (`attrs=True`: `row.col`).
- SQL: `Shape.sql_object(alias)` (json_build_object) and `Shape.sql_row(alias)` (row_to_json of named
  columns, about a third cheaper per row) over a row alias.

Each feature declares its shapes beside its code (issues/wire.py, activity/wire.py, projects/wire.py,
goals/wire.py); tests render the same rows both ways and require equal output.

Kinds: `uuid` (never null: str), `uuid?` (uid), `timestamp` (ISO-8601 UTC with milliseconds, `iso`),
`date` (ISO date, `iso`; PostgreSQL's json of a date is the same text), `text`, `int`, `bool`, `json`
(as stored). A field may give its own Python expression over `row` and its own SQL over the alias `{a}`
(computed fields, and fields given by the caller such as an issue's labels).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from paperclip.wire import iso, uid


def ts(column: str) -> str:
    """SQL: ISO-8601 UTC with milliseconds, like `paperclip.wire.iso`."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


# Python per kind over the value `{v}` (row["col"] or row.col).
_PYTHON = {
    "uuid": "str({v})",
    "uuid?": "uid({v})",
    "timestamp": "iso({v})",
    "date": "iso({v})",
    "text": "{v}",
    "int": "{v}",
    "bool": "{v}",
    "json": "{v}",
}


@dataclass(frozen=True)
class Field:
    name: str  # the wire name
    column: str | None  # the row's column (None: a computed field, `py` and `sql` given)
    kind: str
    py: str | None = None  # Python over `row` (and the renderer's arguments), instead of the kind's
    sql: str | None = None  # SQL over the row alias `{a}`, instead of the column's

    def python(self, attrs: bool = False) -> str:
        if self.py is not None:
            return self.py
        value = f"row.{self.column}" if attrs else f'row["{self.column}"]'
        return _PYTHON[self.kind].format(v=value)

    def sql_of(self, a: str) -> str:
        if self.sql is not None:
            return self.sql.format(a=a)
        column = f"{a}.{self.column}"
        return ts(column) if self.kind == "timestamp" else column


class Shape:
    """One wire object: its fields in the original's order."""

    def __init__(self, name: str, *fields: Field):
        assert all(f.kind in _PYTHON for f in fields), name
        self.name = name
        self.fields = fields

    def python(
        self,
        args: str = "row",
        prologue: str = "",
        *,
        attrs: bool = False,
        namespace: Mapping[str, Any] | None = None,
    ) -> Callable[..., dict[str, Any]]:
        """The Python renderer: `def render(<args>): <prologue>; return {...}`, compiled once. `attrs`:
        read columns as attributes (ORM objects); `namespace`: names the computed fields use."""
        items = "".join(f"        {f.name!r}: {f.python(attrs)},\n" for f in self.fields)
        source = f"def render({args}):\n{prologue}    return {{\n{items}    }}\n"
        scope: dict[str, Any] = {"iso": iso, "uid": uid, "Mapping": Mapping, **(namespace or {})}
        exec(compile(source, f"<wire shape {self.name}>", "exec"), scope)  # noqa: S102 - our own field table
        render = scope["render"]
        render.__qualname__ = render.__name__ = f"{self.name}_to_wire"
        return render

    def without(self, *names: str) -> Shape:
        """The same shape less the named fields (an embedded object that carries fewer)."""
        assert set(names) <= {f.name for f in self.fields}, names
        return Shape(f"{self.name}_less", *(f for f in self.fields if f.name not in names))

    def sql_fields(self, a: str, **sql: str) -> list[tuple[str, str]]:
        """(wire name, SQL over alias `a`); `sql` replaces the SQL of fields by wire name."""
        return [(f.name, sql.get(f.name) or f.sql_of(a)) for f in self.fields]

    def sql_object(self, a: str, **sql: str) -> str:
        """SQL: the object as json_build_object over the row alias `a`."""
        return "json_build_object(" + ", ".join(f"'{n}', {s}" for n, s in self.sql_fields(a, **sql)) + ")"

    def sql_row(self, a: str, **sql: str) -> str:
        """SQL: the same object as `sql_object`, as row_to_json of named columns (cheaper per row)."""
        return row_json(self.sql_fields(a, **sql))


def row_json(fields: list[tuple[str, str]]) -> str:
    """SQL: row_to_json of (name, SQL) columns, in order."""
    columns = ", ".join(f'{sql} AS "{name}"' for name, sql in fields)
    return f"row_to_json((SELECT r FROM (SELECT {columns}) r))"

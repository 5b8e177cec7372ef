"""The issue feature's wire shapes, each declared once as a field table (wire name → column and kind)
from which both renderers are made:

- Python: `Shape.python(...)` compiles a function returning the dict literal (the same code one would
  write by hand, so it costs no more than a hand-written renderer): `issue_to_wire`, `label_to_wire`,
  `comment_to_wire` in shapes.py.
- SQL: `Shape.sql_object(alias)` (json_build_object) and `Shape.sql_row(alias)` (row_to_json of named
  columns, about a third cheaper per row: the issue lists) over a row alias, used by queries.py.

tests/issues/test_wire_shapes.py renders the same rows both ways and requires equal output.

Kinds: `uuid` (never null: str), `uuid?` (uid), `timestamp` (ISO-8601 UTC with milliseconds, `iso`),
`text`, `int`, `bool`, `json` (as stored). A field may give its own Python expression over `row` and
its own SQL over the alias `{a}` (computed fields, and fields given by the caller such as an issue's
labels).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from paperclip.wire import iso, uid


def ts(column: str) -> str:
    """SQL: ISO-8601 UTC with milliseconds, like `paperclip.wire.iso`."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


_PYTHON = {
    "uuid": 'str(row["{c}"])',
    "uuid?": 'uid(row["{c}"])',
    "timestamp": 'iso(row["{c}"])',
    "text": 'row["{c}"]',
    "int": 'row["{c}"]',
    "bool": 'row["{c}"]',
    "json": 'row["{c}"]',
}


@dataclass(frozen=True)
class Field:
    name: str  # the wire name
    column: str | None  # the row's column (None: a computed field, `py` and `sql` given)
    kind: str
    py: str | None = None  # Python over `row` (and the renderer's arguments), instead of the kind's
    sql: str | None = None  # SQL over the row alias `{a}`, instead of the column's

    def python(self) -> str:
        return self.py if self.py is not None else _PYTHON[self.kind].format(c=self.column)

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

    def python(self, args: str = "row", prologue: str = "") -> Callable[..., dict[str, Any]]:
        """The Python renderer: `def render(<args>): <prologue>; return {...}`, compiled once."""
        items = "".join(f"        {f.name!r}: {f.python()},\n" for f in self.fields)
        source = f"def render({args}):\n{prologue}    return {{\n{items}    }}\n"
        namespace: dict[str, Any] = {"iso": iso, "uid": uid, "Mapping": Mapping}
        exec(compile(source, f"<wire shape {self.name}>", "exec"), namespace)  # noqa: S102 - our own field table
        render = namespace["render"]
        render.__qualname__ = render.__name__ = f"{self.name}_to_wire"
        return render

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


# ---------------------------------------------------------------- label

LABEL = Shape(
    "label",
    Field("id", "id", "uuid"),
    Field("companyId", "company_id", "uuid"),
    Field("name", "name", "text"),
    Field("color", "color", "text"),
    Field("createdAt", "created_at", "timestamp"),
    Field("updatedAt", "updated_at", "timestamp"),
)
LABEL_JSON = LABEL.sql_object("l")  # over `labels l`

# An issue's labels (by name) and their ids, as correlated subqueries on the issue alias {a}.
LABELS_OF = (
    f"(SELECT COALESCE(json_agg({LABEL_JSON} ORDER BY l.name, l.id), '[]'::json) "
    "FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = {a}.id)"
)
LABEL_IDS_OF = (
    "(SELECT COALESCE(json_agg(l.id ORDER BY l.name, l.id), '[]'::json) "
    "FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = {a}.id)"
)

# ---------------------------------------------------------------- issue

ISSUE = Shape(
    "issue",
    Field("id", "id", "uuid"),
    Field("companyId", "company_id", "uuid"),
    Field("projectId", "project_id", "uuid?"),
    Field("goalId", "goal_id", "uuid?"),
    Field("parentId", "parent_id", "uuid?"),
    Field("title", "title", "text"),
    Field("description", "description", "text"),
    Field("status", "status", "text"),
    Field("priority", "priority", "text"),
    Field("assigneeAgentId", "assignee_agent_id", "uuid?"),
    Field("assigneeUserId", "assignee_user_id", "text"),
    Field("checkoutRunId", "checkout_run_id", "uuid?"),
    Field("executionRunId", "execution_run_id", "uuid?"),
    Field("executionAgentNameKey", "execution_agent_name_key", "text"),
    Field("executionLockedAt", "execution_locked_at", "timestamp"),
    Field("createdByAgentId", "created_by_agent_id", "uuid?"),
    Field("createdByUserId", "created_by_user_id", "text"),
    Field("issueNumber", "issue_number", "int"),
    Field("identifier", "identifier", "text"),
    Field("originKind", "origin_kind", "text"),
    Field("originId", "origin_id", "text"),
    Field("originRunId", "origin_run_id", "uuid?"),
    Field("requestDepth", "request_depth", "int"),
    Field("billingCode", "billing_code", "text"),
    Field("startedAt", "started_at", "timestamp"),
    Field("completedAt", "completed_at", "timestamp"),
    Field("cancelledAt", "cancelled_at", "timestamp"),
    Field("hiddenAt", "hidden_at", "timestamp"),
    Field("createdAt", "created_at", "timestamp"),
    Field("updatedAt", "updated_at", "timestamp"),
    # given by the caller in Python (the issue's labels, label_to_wire objects); subqueries in SQL
    Field("labels", None, "json", py="labels", sql=LABELS_OF),
    Field("labelIds", None, "json", py='[label["id"] for label in labels]', sql=LABEL_IDS_OF),
)

# List answers cut descriptions to this many characters, as the original's (the detail has them whole):
# cut in the statement, so a page never carries a long text out of the database.
LIST_DESCRIPTION_CHARS = 1200


def issue_fields(
    a: str, labels: str | None = None, label_ids: str | None = None, truncate: str | None = None
) -> list[tuple[str, str]]:
    """An issue's (wire name, SQL over alias `a`). `labels` / `label_ids`: SQL for the two label arrays
    (default: correlated subqueries on `a`); `truncate`: None keeps the description whole; "flag" cuts
    it and adds descriptionTruncated after it (the list's row); "cut" only cuts it (the compact row,
    which has no flag)."""
    sql = {}
    if labels:
        sql["labels"] = labels
    if label_ids:
        sql["labelIds"] = label_ids
    out = ISSUE.sql_fields(a, **sql)
    if truncate:
        at = [name for name, _sql in out].index("description")
        out[at] = ("description", f"left({a}.description, {LIST_DESCRIPTION_CHARS})")
        if truncate == "flag":
            flag = f"COALESCE(char_length({a}.description) > {LIST_DESCRIPTION_CHARS}, false)"
            out.insert(at + 1, ("descriptionTruncated", flag))
    return out


def issue_json(
    a: str, labels: str | None = None, label_ids: str | None = None, truncate: str | None = None
) -> str:
    """SQL building one issue's wire object from the row alias `a` (json_build_object; arguments as
    `issue_fields`)."""
    return (
        "json_build_object("
        + ", ".join(f"'{n}', {s}" for n, s in issue_fields(a, labels, label_ids, truncate))
        + ")"
    )


def issue_row_json(
    a: str, labels: str | None = None, label_ids: str | None = None, truncate: str | None = None
) -> str:
    """The same object as `issue_json`, built as a row (`row_to_json` of named columns): about a third
    cheaper per row than json_build_object's variadic arguments, which matters for pages of 1000."""
    return row_json(issue_fields(a, labels, label_ids, truncate))


# ---------------------------------------------------------------- comment

COMMENT = Shape(
    "comment",
    Field("id", "id", "uuid"),
    Field("companyId", "company_id", "uuid"),
    Field("issueId", "issue_id", "uuid"),
    Field("authorAgentId", "author_agent_id", "uuid?"),
    Field("authorUserId", "author_user_id", "text"),
    Field(
        "authorType",
        None,
        "text",
        py='"agent" if row["author_agent_id"] else "user"',
        sql="CASE WHEN {a}.author_agent_id IS NOT NULL THEN 'agent' ELSE 'user' END",
    ),
    Field("createdByRunId", "created_by_run_id", "uuid?"),
    Field("body", "body", "text"),
    Field("createdAt", "created_at", "timestamp"),
    Field("updatedAt", "updated_at", "timestamp"),
)

# ---------------------------------------------------------------- SQL-only shapes

# An issue named in another's blockedBy / blocks (the list's blockedBy extra, the detail view).
BLOCKER_SUMMARY = Shape(
    "blocker_summary",
    Field("id", "id", "uuid"),
    Field("identifier", "identifier", "text"),
    Field("title", "title", "text"),
    Field("status", "status", "text"),
    Field("priority", "priority", "text"),
    Field("assigneeAgentId", "assignee_agent_id", "uuid?"),
    Field("assigneeUserId", "assignee_user_id", "text"),
)


def document_json(doc: str, link: str, *, with_body: bool) -> str:
    """SQL: the original's document object over `documents {doc}` and `issue_documents {link}` (a
    summary leaves out the body); the document routes and the issue detail's planDocument /
    documentSummaries."""
    body = f"'body', {doc}.latest_body, " if with_body else ""
    return (
        f"json_build_object('id', {doc}.id, 'companyId', {doc}.company_id, 'issueId', {link}.issue_id, 'key', {link}.key, "
        f"'title', {doc}.title, 'format', {doc}.format, {body}'latestRevisionId', {doc}.latest_revision_id, "
        f"'latestRevisionNumber', {doc}.latest_revision_number, 'createdByAgentId', {doc}.created_by_agent_id, "
        f"'createdByUserId', {doc}.created_by_user_id, 'updatedByAgentId', {doc}.updated_by_agent_id, "
        f"'updatedByUserId', {doc}.updated_by_user_id, 'lockedAt', {ts(doc + '.locked_at')}, "
        f"'lockedByAgentId', {doc}.locked_by_agent_id, 'lockedByUserId', {doc}.locked_by_user_id, 'sourceTrust', NULL, "
        f"'createdAt', {ts(doc + '.created_at')}, 'updatedAt', {ts(doc + '.updated_at')})"
    )


def issue_documents_sql(issue_id_expr: str) -> tuple[str, str]:
    """SQL: (planDocument, documentSummaries) subselects for the issue detail view."""
    plan = (
        f"(SELECT {document_json('doc', 'link', with_body=True)} FROM issue_documents link "
        f"JOIN documents doc ON doc.id = link.document_id WHERE link.issue_id = {issue_id_expr} AND link.key = 'plan')"
    )
    summaries = (
        f"(SELECT COALESCE(json_agg({document_json('doc', 'link', with_body=False)} ORDER BY link.key), '[]'::json) "
        f"FROM issue_documents link JOIN documents doc ON doc.id = link.document_id "
        f"WHERE link.issue_id = {issue_id_expr})"
    )
    return plan, summaries


# ---------------------------------------------------------------- recovery action

# An issue's recovery action (recovery.action_to_wire; embedded in SQL by `action_json`).
RECOVERY_ACTION = Shape(
    "recovery_action",
    Field("id", "id", "uuid"),
    Field("companyId", "company_id", "uuid"),
    Field("sourceIssueId", "source_issue_id", "uuid"),
    Field("recoveryIssueId", "recovery_issue_id", "uuid?"),
    Field("kind", "kind", "text"),
    Field("status", "status", "text"),
    Field("ownerType", "owner_type", "text"),
    Field("ownerAgentId", "owner_agent_id", "uuid?"),
    Field("ownerUserId", "owner_user_id", "text"),
    Field("previousOwnerAgentId", "previous_owner_agent_id", "uuid?"),
    Field("returnOwnerAgentId", "return_owner_agent_id", "uuid?"),
    Field("cause", "cause", "text"),
    Field("fingerprint", "fingerprint", "text"),
    Field("evidence", "evidence", "json"),
    Field("nextAction", "next_action", "text"),
    Field("wakePolicy", "wake_policy", "json"),
    Field("monitorPolicy", "monitor_policy", "json"),
    Field("attemptCount", "attempt_count", "int"),
    Field("maxAttempts", "max_attempts", "int"),
    Field("timeoutAt", "timeout_at", "timestamp"),
    Field("lastAttemptAt", "last_attempt_at", "timestamp"),
    Field("outcome", "outcome", "text"),
    Field("resolutionNote", "resolution_note", "text"),
    Field("resolvedAt", "resolved_at", "timestamp"),
    Field("createdAt", "created_at", "timestamp"),
    Field("updatedAt", "updated_at", "timestamp"),
)


def action_json(alias: str) -> str:
    """SQL: a recovery action's wire object over the row `alias` (json_build_object)."""
    return RECOVERY_ACTION.sql_object(alias)

"""Issue lists rendered by PostgreSQL: one statement returns the page as a JSON text (issue fields in
the wire's names and order, labels included), which the route sends as is — no per-row Python."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.rawsql import Sql


def ts(column: str) -> str:
    """ISO-8601 UTC with milliseconds, like `paperclip.wire.iso`."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


LABEL_JSON = (
    f"json_build_object('id', l.id, 'companyId', l.company_id, 'name', l.name, 'color', l.color, "
    f"'createdAt', {ts('l.created_at')}, 'updatedAt', {ts('l.updated_at')})"
)


LABELS_OF = (
    "(SELECT COALESCE(json_agg({label} ORDER BY l.name, l.id), '[]'::json) "
    "FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = {a}.id)"
)
LABEL_IDS_OF = (
    "(SELECT COALESCE(json_agg(l.id ORDER BY l.name, l.id), '[]'::json) "
    "FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = {a}.id)"
)

# The wire fields of an issue (shapes.issue_to_wire), in order: (name, SQL over the row alias {a}).
_TIMESTAMPS = {
    "executionLockedAt": "execution_locked_at",
    "startedAt": "started_at",
    "completedAt": "completed_at",
    "cancelledAt": "cancelled_at",
    "hiddenAt": "hidden_at",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
}
_FIELDS = [
    ("id", "id"),
    ("companyId", "company_id"),
    ("projectId", "project_id"),
    ("goalId", "goal_id"),
    ("parentId", "parent_id"),
    ("title", "title"),
    ("description", "description"),
    ("status", "status"),
    ("priority", "priority"),
    ("assigneeAgentId", "assignee_agent_id"),
    ("assigneeUserId", "assignee_user_id"),
    ("checkoutRunId", "checkout_run_id"),
    ("executionRunId", "execution_run_id"),
    ("executionAgentNameKey", "execution_agent_name_key"),
    ("executionLockedAt", None),
    ("createdByAgentId", "created_by_agent_id"),
    ("createdByUserId", "created_by_user_id"),
    ("issueNumber", "issue_number"),
    ("identifier", "identifier"),
    ("originKind", "origin_kind"),
    ("originId", "origin_id"),
    ("originRunId", "origin_run_id"),
    ("requestDepth", "request_depth"),
    ("billingCode", "billing_code"),
    ("startedAt", None),
    ("completedAt", None),
    ("cancelledAt", None),
    ("hiddenAt", None),
    ("createdAt", None),
    ("updatedAt", None),
]


# List answers cut descriptions to this many characters, as the original's (the detail has them whole):
# cut in the statement, so a page never carries a long text out of the database.
LIST_DESCRIPTION_CHARS = 1200


def _fields(
    a: str, labels: str | None, label_ids: str | None, truncate: str | None = None
) -> list[tuple[str, str]]:
    """`truncate`: None keeps the description whole; "flag" cuts it and adds descriptionTruncated
    after it (the list's row); "cut" only cuts it (the compact row, which has no flag)."""
    out = [(name, f"{a}.{column}" if column else ts(f"{a}.{_TIMESTAMPS[name]}")) for name, column in _FIELDS]
    if truncate:
        at = [name for name, _sql in out].index("description")
        out[at] = ("description", f"left({a}.description, {LIST_DESCRIPTION_CHARS})")
        if truncate == "flag":
            flag = f"COALESCE(char_length({a}.description) > {LIST_DESCRIPTION_CHARS}, false)"
            out.insert(at + 1, ("descriptionTruncated", flag))
    out.append(("labels", labels or LABELS_OF.format(label=LABEL_JSON, a=a)))
    out.append(("labelIds", label_ids or LABEL_IDS_OF.format(a=a)))
    return out


def issue_json(
    a: str, labels: str | None = None, label_ids: str | None = None, truncate: str | None = None
) -> str:
    """SQL building one issue's wire object from the row alias `a` (same fields as shapes.issue_to_wire).
    `labels` / `label_ids`: SQL for the two label arrays (default: correlated subqueries on `a`);
    `truncate`: as `_fields` (lists cut descriptions)."""
    return (
        "json_build_object("
        + ", ".join(f"'{name}', {sql}" for name, sql in _fields(a, labels, label_ids, truncate))
        + ")"
    )


def issue_row_json(
    a: str, labels: str | None = None, label_ids: str | None = None, truncate: str | None = None
) -> str:
    """The same object as `issue_json`, built as a row (`row_to_json` of named columns): about a third
    cheaper per row than json_build_object's variadic arguments, which matters for pages of 1000."""
    columns = ", ".join(f'{sql} AS "{name}"' for name, sql in _fields(a, labels, label_ids, truncate))
    return f"row_to_json((SELECT r FROM (SELECT {columns}) r))"


# A page reads each issue's labels once (one lateral join yields both arrays), and not at all when the
# company has no labels (an uncorrelated EXISTS: evaluated once, a one-time filter on the lateral).
# The statement is plain text per filter shape (cached), run through db.rawsql: building it with
# SQLAlchemy (a subquery's column collection over every issue column) cost more CPU than the rest.
_PAGE = """SELECT COALESCE(json_agg({row} ORDER BY i.rn), '[]'::json)::text AS page
FROM (SELECT x.*, row_number() OVER (ORDER BY {order}) AS rn FROM issues x
      WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset) i
LEFT JOIN LATERAL (
    SELECT json_agg({label} ORDER BY l.name, l.id) AS labels, json_agg(l.id ORDER BY l.name, l.id) AS ids
    FROM issue_labels il JOIN labels l ON l.id = il.label_id
    WHERE il.issue_id = i.id AND EXISTS (SELECT 1 FROM labels any_label WHERE any_label.company_id = :company_id)
) lab ON true"""
_ROW = issue_row_json("i", "COALESCE(lab.labels, '[]'::json)", "COALESCE(lab.ids, '[]'::json)", "flag")

# Optional per-row additions of the list (the original's query flags), over the page alias `i`.
BLOCKER_SUMMARY = (
    "json_build_object('id', b.id, 'identifier', b.identifier, 'title', b.title, 'status', b.status, "
    "'priority', b.priority, 'assigneeAgentId', b.assignee_agent_id, 'assigneeUserId', b.assignee_user_id)"
)
BLOCKED_BY = (
    f"(SELECT COALESCE(json_agg({BLOCKER_SUMMARY} ORDER BY r.created_at, b.id), '[]'::json) "
    "FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id "
    "WHERE r.issue_id = i.id AND r.type = 'blocks')"
)
# Descendants (any depth, not hidden) that a queued or running heartbeat run is working on.
LIVE_DESCENDANT_COUNT = (
    "(WITH RECURSIVE tree AS (SELECT d.id, d.checkout_run_id, d.execution_run_id, d.hidden_at FROM issues d "
    "WHERE d.parent_id = i.id UNION SELECT c.id, c.checkout_run_id, c.execution_run_id, c.hidden_at "
    "FROM issues c JOIN tree ON c.parent_id = tree.id) "
    "SELECT count(*)::int FROM tree WHERE tree.hidden_at IS NULL AND EXISTS (SELECT 1 FROM heartbeat_runs hr "
    "WHERE hr.company_id = :company_id AND hr.status IN ('queued', 'running') "
    "AND (hr.id = tree.checkout_run_id OR hr.id = tree.execution_run_id "
    "OR hr.context_snapshot ->> 'issueId' = tree.id::text)))"
)
EXTRAS = {"blockedBy": BLOCKED_BY, "liveDescendantCount": LIVE_DESCENDANT_COUNT}
# view=compact: the board's row contract — the full row without hiddenAt (measured on the original).
COMPACT_DROPS = frozenset({"hiddenAt"})


@functools.lru_cache(maxsize=512)
def _page_sql(where: str, order: str, extras: tuple[str, ...] = (), compact: bool = False) -> Sql:
    row = _ROW
    if extras or compact:
        fields = _fields(
            "i",
            "COALESCE(lab.labels, '[]'::json)",
            "COALESCE(lab.ids, '[]'::json)",
            "cut" if compact else "flag",
        )
        fields = [(n, sql) for n, sql in fields if not (compact and n in COMPACT_DROPS)]
        fields += [(n, EXTRAS[n]) for n in extras]
        row = (
            "row_to_json((SELECT r FROM (SELECT "
            + ", ".join(f'{sql} AS "{n}"' for n, sql in fields)
            + ") r))"
        )
    return Sql(_PAGE.format(row=row, order=order, where=where, label=LABEL_JSON))


async def page_as_json(
    session: AsyncSession,
    where: tuple[str, ...],
    order: str,
    params: dict[str, Any],
    extras: tuple[str, ...] = (),
    compact: bool = False,
) -> str:
    """The page as JSON text. `where`: SQL conditions on the issue alias `x` (the first two pin the
    company, `:company_id`); `order`: its ORDER BY list; `params`: every named parameter, with
    `limit` and `offset`; `extras`: names in EXTRAS to add per row; `compact`: the compact row."""
    return await _page_sql(" AND ".join(where), order, extras, compact).fetchval(session, **params)

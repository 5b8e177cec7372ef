"""The issue feature's wire shapes, each declared once as a field table (wire name → column and kind;
the machinery is the foundation `paperclip.wireshape`) from which both renderers are made:

- Python: `issue_to_wire`, `label_to_wire`, `comment_to_wire` in shapes.py, `action_to_wire` in
  recovery.py.
- SQL: json_build_object / row_to_json over a row alias (the issue lists), used by queries.py.

tests/issues/test_wire_shapes.py renders the same rows both ways and requires equal output.
"""

from __future__ import annotations

from paperclip.wireshape import Field, Shape, row_json, ts

__all__ = ["Field", "Shape", "row_json", "ts"]  # the machinery, re-exported for this feature's modules


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

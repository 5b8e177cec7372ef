"""The issue feature's hand-written SQL (paperclip.db.rawsql), beside its services. Statements that
differ per filter shape (the issue list; checkout and comment by id or identifier) are built here by
small functions. The wire objects built in SQL come from the field tables of wire.py."""

from __future__ import annotations

import functools

from paperclip.activity.service import ACTOR_IDS, ACTOR_VALUES, INSERT_ACTIVITY
from paperclip.db.rawsql import Sql
from paperclip.db.tree_holds import MAX_DEPTH, held_by
from paperclip.goals.wire import GOAL
from paperclip.issues.mentions import UNREACHABLE
from paperclip.issues.wire import (
    BLOCKER_SUMMARY,
    ISSUE,
    LABEL_JSON,
    LABELS_OF,
    action_json,
    document_json,
    issue_documents_sql,
    issue_fields,
    issue_json,
    issue_row_json,
    row_json,
    ts,
)
from paperclip.projects.wire import DETAIL_PROJECT
from paperclip.runs.recovery_actions import CAUSE as LEGACY_CAUSE
from paperclip.vocabulary import AGENT_UNASSIGNABLE, RUN_LIVE, sql_in

# ---------------------------------------------------------------- lists (listing.py)

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
BLOCKED_BY = (
    f"(SELECT COALESCE(json_agg({BLOCKER_SUMMARY.sql_object('b')} ORDER BY r.created_at, b.id), '[]'::json) "
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


# One statement per filter shape: `where` (conditions on the issue alias `x`), `order`, the extras
# and the compact row (listing.page_as_json).
@functools.lru_cache(maxsize=512)
def issue_page(where: str, order: str, extras: tuple[str, ...] = (), compact: bool = False) -> Sql:
    row = _ROW
    if extras or compact:
        fields = issue_fields(
            "i",
            "COALESCE(lab.labels, '[]'::json)",
            "COALESCE(lab.ids, '[]'::json)",
            "cut" if compact else "flag",
        )
        fields = [(n, sql) for n, sql in fields if not (compact and n in COMPACT_DROPS)]
        fields += [(n, EXTRAS[n]) for n in extras]
        row = row_json(fields)
    return Sql(_PAGE.format(row=row, order=order, where=where, label=LABEL_JSON))


# ---------------------------------------------------------------- detail (detail.py)

_PLAN_DOCUMENT, _DOCUMENT_SUMMARIES = issue_documents_sql("i.id")
# The detail's executionBlocker: the issue's latest legacy-execution action, active (its next action)
# or settled as blocked (this text; it stays after the issue moves on, as the original's does).
RECOVERY_STOPPED = "Automatic recovery stopped. Recorded work is preserved; actions with unverified outcomes will not be repeated."
DETAIL_SELECT = f"""
SELECT i.*,
  {LABELS_OF.format(a="i")} AS labels_json,
  (SELECT COALESCE(json_agg({BLOCKER_SUMMARY.sql_object("b")} ORDER BY r.created_at, b.id), '[]'::json)
     FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id
     WHERE r.issue_id = i.id AND r.type = 'blocks') AS blocked_by_json,
  (SELECT COALESCE(json_agg({BLOCKER_SUMMARY.sql_object("b")} ORDER BY r.created_at, b.id), '[]'::json)
     FROM issue_relations r JOIN issues b ON b.id = r.issue_id
     WHERE r.related_issue_id = i.id AND r.type = 'blocks') AS blocks_json,
  (SELECT {DETAIL_PROJECT.sql_object("p")}
     FROM projects p WHERE p.id = i.project_id) AS project_json,
  {_PLAN_DOCUMENT} AS plan_document_json,
  {_DOCUMENT_SUMMARIES} AS document_summaries_json,
  (SELECT {GOAL.sql_object("g")}
     FROM goals g WHERE g.id = i.goal_id) AS goal_json,
  (SELECT json_build_object('recoveryActionId', ra.id, 'runId', ra.run_id,
                            'agentId', (SELECT r.agent_id FROM heartbeat_runs r WHERE r.id = ra.run_id),
                            'cause', ra.cause,
                            'nextAction', CASE WHEN ra.status = 'active' THEN ra.next_action
                                               ELSE '{RECOVERY_STOPPED}' END)
     FROM issue_recovery_actions ra
     WHERE ra.source_issue_id = i.id AND ra.cause = '{LEGACY_CAUSE}'
       AND (ra.status = 'active' OR ra.outcome = 'blocked')
     ORDER BY ra.created_at DESC LIMIT 1) AS execution_blocker_json,
  (SELECT {action_json("ra")} FROM issue_recovery_actions ra
     WHERE ra.source_issue_id = i.id AND ra.status = 'active') AS active_recovery_action_json
FROM issues i
"""
# The issue row with its detail view's parts as JSON (labels, blockers, project, goal, documents).
DETAIL_BY_ID = Sql(DETAIL_SELECT + " WHERE i.id = :id")
DETAIL_BY_IDENTIFIER = Sql(DETAIL_SELECT + " WHERE i.identifier = :identifier")

# An issue's ancestors from its parent up, as the detail view's objects.
ANCESTORS = Sql("""
WITH RECURSIVE chain AS (
    SELECT id, parent_id, 1 AS depth FROM issues WHERE id = :parent_id
    UNION ALL
    SELECT i.id, i.parent_id, chain.depth + 1 FROM issues i JOIN chain ON i.id = chain.parent_id
    WHERE chain.depth < 64
)
SELECT json_build_object(
    'id', i.id, 'identifier', i.identifier, 'title', i.title, 'description', i.description, 'status', i.status,
    'priority', i.priority, 'assigneeAgentId', i.assignee_agent_id, 'projectId', i.project_id, 'goalId', i.goal_id,
    'project', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('id', p.id, 'name', p.name, 'status', p.status) END,
    'goal', CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('id', g.id, 'title', g.title,
        'description', g.description, 'level', g.level, 'status', g.status) END) AS ancestor
FROM chain JOIN issues i ON i.id = chain.id
LEFT JOIN projects p ON p.id = i.project_id LEFT JOIN goals g ON g.id = i.goal_id
ORDER BY chain.depth
""")


# The whole detail view as one JSON text (fields in detail_to_wire's order): GET /issues/{id} sends it
# as is — no row decoding or per-field Python. Ancestors come from the same statement (a recursive
# subquery that runs only when there is a parent).
_ANCESTORS_JSON = """(WITH RECURSIVE chain AS (
    SELECT a.id, a.parent_id, 1 AS depth FROM issues a WHERE a.id = i.parent_id
    UNION ALL
    SELECT a.id, a.parent_id, chain.depth + 1 FROM issues a JOIN chain ON a.id = chain.parent_id WHERE chain.depth < 64
)
SELECT COALESCE(json_agg(json_build_object(
    'id', a.id, 'identifier', a.identifier, 'title', a.title, 'description', a.description, 'status', a.status,
    'priority', a.priority, 'assigneeAgentId', a.assignee_agent_id, 'projectId', a.project_id, 'goalId', a.goal_id,
    'project', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('id', p.id, 'name', p.name, 'status', p.status) END,
    'goal', CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('id', g.id, 'title', g.title,
        'description', g.description, 'level', g.level, 'status', g.status) END) ORDER BY chain.depth), '[]'::json)
FROM chain JOIN issues a ON a.id = chain.id
LEFT JOIN projects p ON p.id = a.project_id LEFT JOIN goals g ON g.id = a.goal_id)"""
_IDS_OF = "(SELECT COALESCE(json_agg(e->'id'), '[]'::json) FROM json_array_elements({}) e)"
DETAIL_JSON = f"""
SELECT d.company_id, CAST({
    ISSUE.sql_object(
        "d",
        labels="d.labels_json",
        labelIds="(SELECT COALESCE(json_agg(e->'id'), '[]'::json) FROM json_array_elements(d.labels_json) e)",
    )[:-1]
},
    'blockedBy', d.blocked_by_json, 'blockedByIssueIds', {_IDS_OF.format("d.blocked_by_json")},
    'blocks', d.blocks_json,
    'ancestors', CASE WHEN d.parent_id IS NULL THEN '[]'::json ELSE d.ancestors_json END,
    'project', d.project_json, 'goal', d.goal_json,
    'planDocument', d.plan_document_json, 'documentSummaries', d.document_summaries_json,
    'executionBlocker', d.execution_blocker_json,
    'activeRecoveryAction', d.active_recovery_action_json) AS text) AS wire
FROM (SELECT q.*, CASE WHEN q.parent_id IS NULL THEN NULL ELSE {
    _ANCESTORS_JSON.replace("i.parent_id", "q.parent_id")
}
                  END AS ancestors_json
      FROM ({DETAIL_SELECT} {{where}}) q) d
"""
DETAIL_JSON_BY_ID = Sql(DETAIL_JSON.format(where="WHERE i.id = :id"))
DETAIL_JSON_BY_IDENTIFIER = Sql(DETAIL_JSON.format(where="WHERE i.identifier = :identifier"))

# ---------------------------------------------------------------- creation (creation.py)

# Number, insert and log an issue (creation.py).
CREATE_ISSUE = Sql("""
WITH counter AS (
    UPDATE companies SET issue_counter = issue_counter + 1
    WHERE id = CAST(:company_id AS uuid)
    RETURNING issue_counter, issue_prefix,
        (SELECT g.id FROM goals g
         WHERE g.company_id = CAST(:company_id AS uuid) AND g.level = 'company' AND g.parent_id IS NULL
         ORDER BY g.created_at, g.id LIMIT 1) AS default_goal
), ins AS (
    INSERT INTO issues (company_id, project_id, goal_id, parent_id, title, description, status, priority,
                        assignee_agent_id, assignee_user_id, created_by_agent_id, created_by_user_id,
                        issue_number, identifier, billing_code, request_depth,
                        started_at, completed_at, cancelled_at, created_at, updated_at,
                        origin_kind, origin_id, origin_run_id, origin_fingerprint)
    SELECT CAST(:company_id AS uuid), CAST(:project_id AS uuid),
           COALESCE(CAST(:goal_id AS uuid), counter.default_goal), CAST(:parent_id AS uuid),
           CAST(:title AS text), CAST(:description AS text), CAST(:status AS text), CAST(:priority AS text),
           CAST(:assignee_agent_id AS uuid), CAST(:assignee_user_id AS text),
           CAST(:created_by_agent_id AS uuid), CAST(:created_by_user_id AS text),
           counter.issue_counter, counter.issue_prefix || '-' || counter.issue_counter,
           CAST(:billing_code AS text), CAST(:request_depth AS integer),
           CAST(:started_at AS timestamptz), CAST(:completed_at AS timestamptz), CAST(:cancelled_at AS timestamptz),
           CAST(:now AS timestamptz), CAST(:now AS timestamptz),
           CAST(:origin_kind AS text), CAST(:origin_id AS text), CAST(:origin_run_id AS uuid),
           CAST(:origin_fingerprint AS text)
    FROM counter
    RETURNING *
), activity AS (
    INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id,
                              details, created_at)
    SELECT ins.company_id, CAST(:actor_type AS text), CAST(:actor_id AS text), 'issue.created', 'issue',
           CAST(ins.id AS text), CAST(:actor_agent_id AS uuid), CAST(:actor_run_id AS uuid),
           jsonb_build_object('title', CAST(:activity_title AS text), 'status', ins.status,
                              'identifier', ins.identifier),
           clock_timestamp()
    FROM ins
)
SELECT * FROM ins
""")

# ---------------------------------------------------------------- checkout (checkout.py)

_LIVE = sql_in(RUN_LIVE)
_UNASSIGNABLE = sql_in(AGENT_UNASSIGNABLE)
# Python's str.strip() whitespace within ASCII; names outside ASCII get their key fixed up in Python.
_ASCII_SPACE = r"E' \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f'"


def _run_is_stale_sql(column: str) -> str:
    return f"NOT EXISTS (SELECT 1 FROM heartbeat_runs r WHERE r.id = {column} AND r.status IN ({_LIVE}))"


def checkout_sql(where: str) -> Sql:
    """ONE statement: lock the issue row (a loser waits for the winner and then sees its committed
    row, for the 409 details), claim it when every condition holds (its project not paused, §8.3), log the claim, and return the
    claimed row with its labels. Conditions the caller re-checks in Python (access, agent) are also
    part of the claim, so a refused request never changes anything. Kept cheap to plan: a 409 rolls
    back, and psycopg drops a connection's prepared statements on every rollback, so in a race this
    statement is planned afresh almost every time."""
    idempotent = (
        "cur.status = 'in_progress' AND cur.assignee_agent_id = CAST(:agent_id AS uuid) "
        "AND cur.checkout_run_id IS NOT DISTINCT FROM CAST(:run_id AS uuid)"
    )
    return Sql(f"""
WITH cur AS MATERIALIZED (
    SELECT i.* FROM issues i WHERE {where} FOR NO KEY UPDATE
), ag AS MATERIALIZED (
    SELECT a.company_id, a.status, a.name FROM agents a WHERE a.id = CAST(:agent_id AS uuid)
), proj AS MATERIALIZED (
    SELECT p.id, p.pause_reason FROM projects p WHERE p.id = (SELECT cur.project_id FROM cur) AND p.paused_at IS NOT NULL
), held AS MATERIALIZED ({held_by("cur")}
), claim AS (
    UPDATE issues SET
        assignee_agent_id = CAST(:agent_id AS uuid), assignee_user_id = NULL,
        checkout_run_id = CAST(:run_id AS uuid), execution_run_id = CAST(:run_id AS uuid),
        execution_agent_name_key = CASE WHEN octet_length(ag.name) = char_length(ag.name)
            THEN translate(btrim(ag.name, {_ASCII_SPACE}), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
            ELSE ag.name END,
        execution_locked_at = CAST(:now AS timestamptz), status = 'in_progress',
        started_at = CASE WHEN cur.status = 'in_progress' AND cur.started_at IS NOT NULL THEN cur.started_at
                          ELSE CAST(:now AS timestamptz) END,
        completed_at = NULL, cancelled_at = NULL, updated_at = CAST(:now AS timestamptz)
    FROM cur, ag
    WHERE issues.id = cur.id AND CAST(:may_claim AS boolean) AND NOT EXISTS (SELECT 1 FROM proj)
      AND NOT EXISTS (SELECT 1 FROM held)
      AND (CAST(:companies AS uuid[]) IS NULL OR cur.company_id = ANY(CAST(:companies AS uuid[])))
      AND ag.company_id = cur.company_id AND ag.status NOT IN ({_UNASSIGNABLE})
      AND cur.status = ANY(CAST(:expected AS text[]))
      AND (cur.assignee_agent_id IS NULL
           OR (cur.assignee_agent_id = CAST(:agent_id AS uuid)
               AND (cur.checkout_run_id IS NULL OR cur.checkout_run_id IS NOT DISTINCT FROM CAST(:run_id AS uuid)
                    OR {_run_is_stale_sql("cur.checkout_run_id")})))
      AND (cur.execution_run_id IS NULL OR cur.execution_run_id IS NOT DISTINCT FROM CAST(:run_id AS uuid)
           OR {_run_is_stale_sql("cur.execution_run_id")})
    RETURNING issues.*
), act AS (
    {INSERT_ACTIVITY}
    SELECT claim.company_id, {ACTOR_VALUES}, 'issue.checked_out', 'issue', CAST(claim.id AS text), {ACTOR_IDS},
           jsonb_build_object('agentId', CAST(CAST(:agent_id AS uuid) AS text), 'identifier', claim.identifier), clock_timestamp()
    FROM claim
)
SELECT claim.*, cur.id AS cur_id, cur.company_id AS cur_company_id, cur.status AS cur_status,
       cur.assignee_agent_id AS cur_assignee_agent_id, cur.checkout_run_id AS cur_checkout_run_id,
       cur.execution_run_id AS cur_execution_run_id, cur.identifier AS cur_identifier,
       ag.company_id AS agent_company_id, ag.status AS agent_status, ag.name AS agent_name,
       proj.id AS paused_project_id, proj.pause_reason AS paused_project_reason,
       held.hold_id AS held_hold_id, held.hold_root_issue_id AS held_root_issue_id,
       ({idempotent}) AS idempotent,
       (SELECT COALESCE(json_agg({LABEL_JSON} ORDER BY l.name, l.id), '[]'::json)
          FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = claim.id) AS labels_json
FROM cur LEFT JOIN ag ON true LEFT JOIN proj ON true LEFT JOIN held ON true LEFT JOIN claim ON true
""")


CHECKOUT_BY_ID = checkout_sql("i.id = CAST(:id AS uuid)")
CHECKOUT_BY_IDENTIFIER = checkout_sql("i.identifier = CAST(:identifier AS text)")
# The idempotent case of a checkout (the caller's run holds it already), rendered like a claim.
ISSUE_WIRE_BY_ID = Sql(
    f"SELECT CAST({issue_json('i')} AS text) AS wire FROM issues i WHERE i.id = CAST(:id AS uuid)"
)

# ---------------------------------------------------------------- comments (comments.py)


def add_comment_sql(where: str) -> Sql:
    """ONE statement: find the issue, store the comment (only when the actor may access the company),
    log it, and list the company's reachable agents when the body may @-mention one."""
    return Sql(f"""
WITH i AS MATERIALIZED (
    SELECT id, parent_id, company_id, identifier, title, assignee_agent_id FROM issues WHERE {where}
), held AS MATERIALIZED ({held_by("i")}
), c AS (
    INSERT INTO issue_comments (company_id, issue_id, author_agent_id, author_user_id, created_by_run_id, body,
                                created_at, updated_at)
    SELECT i.company_id, i.id, CAST(:actor_agent_id AS uuid), CAST(:author_user_id AS text),
           CAST(:created_by_run_id AS uuid), CAST(:body AS text), CAST(:now AS timestamptz), CAST(:now AS timestamptz)
    FROM i WHERE (CAST(:companies AS uuid[]) IS NULL OR i.company_id = ANY(CAST(:companies AS uuid[])))
      AND NOT EXISTS (SELECT 1 FROM held)
    RETURNING *
), act AS (
    {INSERT_ACTIVITY}
    SELECT c.company_id, {ACTOR_VALUES}, 'issue.comment_added', 'issue', CAST(c.issue_id AS text), {ACTOR_IDS},
           jsonb_build_object('commentId', CAST(c.id AS text), 'identifier', i.identifier, 'issueTitle', i.title,
                              'bodySnippet', CAST(:snippet AS text)),
           clock_timestamp()
    FROM c JOIN i ON i.id = c.issue_id
    RETURNING id
)
SELECT i.id AS i_id, i.company_id AS i_company_id, i.title AS i_title, i.assignee_agent_id AS i_assignee_agent_id,
       c.*, (SELECT act.id FROM act) AS activity_id,
       (SELECT held.hold_id FROM held) AS held_hold_id, (SELECT held.hold_root_issue_id FROM held) AS held_root_id,
       CASE WHEN CAST(:has_at AS boolean) AND c.id IS NOT NULL THEN
           (SELECT json_agg(json_build_array(a.id, a.name)) FROM agents a
             WHERE a.company_id = i.company_id AND a.status NOT IN ({", ".join(f"'{u}'" for u in UNREACHABLE)}))
       END AS agents
FROM i LEFT JOIN c ON true
""")


ADD_COMMENT_BY_ID = add_comment_sql("id = CAST(:id AS uuid)")
ADD_COMMENT_BY_IDENTIFIER = add_comment_sql("identifier = CAST(:identifier AS text)")


# A logged comment's issue title, redacted like every activity detail (when the title needs it).
REDACT_LOGGED_TITLE = Sql(
    "UPDATE activity_log SET details = jsonb_set(details, '{issueTitle}', to_jsonb(CAST(:title AS text))) "
    "WHERE id = :id"
)

# ---------------------------------------------------------------- an agent's context (agent_context.py)

INBOX_STATUSES = ("todo", "in_progress", "blocked")  # the work an agent should pick from, in_progress first
UNRESOLVED = ("done", "cancelled")
INBOX_LIMIT = 500

# An agent's inbox of assigned work (GET /agents/me/inbox-lite): one JSON array.
AGENT_INBOX = Sql(f"""
SELECT COALESCE(json_agg(json_build_object(
    'id', i.id, 'identifier', i.identifier, 'title', i.title, 'status', i.status, 'priority', i.priority,
    'projectId', i.project_id, 'goalId', i.goal_id, 'parentId', i.parent_id,
    'updatedAt', {ts("i.updated_at")},
    'activeRun', (SELECT json_build_object('id', r.id, 'status', r.status, 'agentId', r.agent_id,
                                           'invocationSource', r.invocation_source,
                                           'startedAt', {ts("r.started_at")})
                  FROM heartbeat_runs r WHERE r.id = i.execution_run_id AND r.status IN ('queued', 'running')),
    'activeRecoveryAction', (SELECT {action_json("ra")} FROM issue_recovery_actions ra
                             WHERE ra.source_issue_id = i.id AND ra.status = 'active' LIMIT 1),
    'dependencyReady', cardinality(b.ids) = 0,
    'unresolvedBlockerCount', cardinality(b.ids),
    'unresolvedBlockerIssueIds', to_json(b.ids))
  ORDER BY CASE i.status WHEN 'in_progress' THEN 0 WHEN 'todo' THEN 1 ELSE 2 END, i.updated_at DESC, i.id), '[]'::json)
FROM (SELECT * FROM issues WHERE company_id = :company_id AND assignee_agent_id = :agent_id
        AND status IN ({", ".join(f"'{s}'" for s in INBOX_STATUSES)}) AND hidden_at IS NULL
      ORDER BY updated_at DESC LIMIT {INBOX_LIMIT}) i
CROSS JOIN LATERAL (
    SELECT COALESCE(array_agg(r.related_issue_id ORDER BY r.created_at), ARRAY[]::uuid[]) AS ids
    FROM issue_relations r JOIN issues blocker ON blocker.id = r.related_issue_id
    WHERE r.issue_id = i.id AND r.type = 'blocks' AND blocker.status NOT IN ({", ".join(f"'{s}'" for s in UNRESOLVED)})
) b
""")

# The comment cursor of the heartbeat context: count, latest id and time.
COMMENT_CURSOR = Sql("""
SELECT count(*) AS total,
       (SELECT id FROM issue_comments WHERE issue_id = :issue_id ORDER BY created_at DESC, id DESC LIMIT 1) AS latest_id,
       max(created_at) AS latest_at
FROM issue_comments WHERE issue_id = :issue_id
""")
# The comment that woke the run (its context's wakeCommentId or commentId), on this issue.
WAKE_COMMENT = Sql("""
SELECT c.* FROM heartbeat_runs r
JOIN issue_comments c ON c.id::text = COALESCE(r.context_snapshot->>'wakeCommentId', r.context_snapshot->>'commentId')
WHERE r.id = :run_id AND c.issue_id = :issue_id
""")

# ---------------------------------------------------------------- inbox (inbox.py)


def last_touch_sql(param: str) -> str:
    """SQL: when the user `:param` last touched issue `x` (created, commented, read it)."""
    return (
        f"GREATEST(CASE WHEN x.created_by_user_id = CAST(:{param} AS text) THEN x.created_at END, "
        f"(SELECT max(c.created_at) FROM issue_comments c WHERE c.issue_id = x.id AND c.author_user_id = CAST(:{param} AS text)), "
        f"(SELECT rs.last_read_at FROM issue_read_states rs WHERE rs.issue_id = x.id AND rs.user_id = CAST(:{param} AS text)))"
    )


def last_external_comment_sql(param: str) -> str:
    """SQL: the latest comment on issue `x` by someone other than the user `:param`."""
    return (
        f"(SELECT max(c.created_at) FROM issue_comments c WHERE c.issue_id = x.id "
        f"AND c.author_user_id IS DISTINCT FROM CAST(:{param} AS text))"
    )


def touched_sql(param: str) -> str:
    """SQL: the user `:param` created, is assigned, commented on or read issue `x`."""
    return (
        f"(x.created_by_user_id = CAST(:{param} AS text) OR x.assignee_user_id = CAST(:{param} AS text) "
        f"OR EXISTS (SELECT 1 FROM issue_comments c WHERE c.issue_id = x.id AND c.author_user_id = CAST(:{param} AS text)) "
        f"OR EXISTS (SELECT 1 FROM issue_read_states rs WHERE rs.issue_id = x.id AND rs.user_id = CAST(:{param} AS text)))"
    )


@functools.cache
def inbox_mine_page(status_filter: bool) -> Sql:
    """Issues touched by :user and not archived by them, newest touch first, with the inbox fields."""
    status = " AND x.status = ANY(CAST(:statuses AS text[]))" if status_filter else ""
    return Sql(f"""
SELECT COALESCE(json_agg(item ORDER BY sort_key DESC NULLS LAST, id), '[]'::json)::text FROM (
  SELECT x.id, GREATEST(t.touch, t.external, x.updated_at) AS sort_key,
         (CAST({issue_json("x", truncate="flag")} AS jsonb) || jsonb_build_object(
            'myLastTouchAt', to_char(t.touch AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'lastExternalCommentAt', to_char(t.external AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'isUnreadForMe', COALESCE(t.external > COALESCE(t.touch, '-infinity'::timestamptz), false))) AS item
  FROM issues x
  CROSS JOIN LATERAL (SELECT {last_touch_sql("user")} AS touch, {last_external_comment_sql("user")} AS external) t
  WHERE x.company_id = :company_id AND x.hidden_at IS NULL AND {touched_sql("user")}{status}
    AND NOT EXISTS (SELECT 1 FROM issue_inbox_archives ia WHERE ia.issue_id = x.id AND ia.user_id = :user)
  ORDER BY sort_key DESC NULLS LAST, x.id LIMIT :limit OFFSET :offset
) page""")


# ---------------------------------------------------------------- documents (documents.py)

_DOCUMENT = f"""
SELECT doc.id, doc.latest_revision_id, doc.latest_revision_number, doc.locked_at, doc.title, doc.format,
       {document_json("doc", "link", with_body=True)} AS wire
FROM issue_documents link JOIN documents doc ON doc.id = link.document_id
WHERE link.issue_id = :issue_id AND link.key = :key
"""
# An issue's document by key (its wire JSON and what the writers check).
DOCUMENT = Sql(_DOCUMENT)
# The same, locked: serialises writers of one document (the stale-revision check sees the latest write).
DOCUMENT_FOR_UPDATE = Sql(_DOCUMENT + " FOR UPDATE OF doc")
DOCUMENTS_PAGE = Sql(f"""
SELECT COALESCE(json_agg({document_json("doc", "link", with_body=True)} ORDER BY link.key), '[]'::json)
FROM (SELECT * FROM issue_documents WHERE issue_id = :issue_id ORDER BY key LIMIT :limit OFFSET :offset) link
JOIN documents doc ON doc.id = link.document_id
""")
REVISIONS_PAGE = Sql(f"""
SELECT COALESCE(json_agg(json_build_object(
    'id', r.id, 'companyId', r.company_id, 'documentId', r.document_id, 'issueId', r.issue_id, 'key', r.key,
    'revisionNumber', r.revision_number, 'title', r.title, 'format', r.format, 'body', r.body,
    'changeSummary', r.change_summary, 'createdByAgentId', r.created_by_agent_id, 'createdByUserId', r.created_by_user_id,
    'createdAt', {ts("r.created_at")}) ORDER BY r.revision_number DESC), '[]'::json)
FROM (SELECT rev.*, link.issue_id, link.key
      FROM issue_documents link JOIN document_revisions rev ON rev.document_id = link.document_id
      WHERE link.issue_id = :issue_id AND link.key = :key
      ORDER BY rev.revision_number DESC LIMIT :limit OFFSET :offset) r
""")
INSERT_DOCUMENT = Sql("""
INSERT INTO documents (company_id, title, format, latest_body, latest_revision_number, created_by_agent_id,
                       created_by_user_id, updated_by_agent_id, updated_by_user_id, created_at, updated_at)
VALUES (:company_id, :title, :format, :body, 0, :agent_id, :user_id, :agent_id, :user_id, :now, :now)
RETURNING id
""")
LINK_DOCUMENT = Sql("""
INSERT INTO issue_documents (company_id, issue_id, document_id, key, created_at, updated_at)
VALUES (:company_id, :issue_id, :document_id, :key, :now, :now)
ON CONFLICT (issue_id, key) DO NOTHING
RETURNING id
""")
ADD_REVISION = Sql("""
WITH r AS (
    INSERT INTO document_revisions (company_id, document_id, revision_number, title, format, body, change_summary,
                                    created_by_agent_id, created_by_user_id, created_by_run_id, created_at)
    SELECT d.company_id, d.id, d.latest_revision_number + 1, :title, :format, :body, :change_summary,
           :agent_id, :user_id, :run_id, :now
    FROM documents d WHERE d.id = :document_id
    RETURNING id, document_id, revision_number
)
UPDATE documents d SET latest_body = :body, title = :title, format = :format, latest_revision_id = r.id,
       latest_revision_number = r.revision_number, updated_by_agent_id = :agent_id, updated_by_user_id = :user_id,
       updated_at = :now
FROM r WHERE d.id = r.document_id
RETURNING r.revision_number
""")
REVISION_OF_DOCUMENT = Sql(
    "SELECT id, revision_number, title, format, body FROM document_revisions WHERE id = :id AND document_id = :doc"
)
LOCK_DOCUMENT = Sql(
    "UPDATE documents SET locked_at = :at, locked_by_agent_id = :agent_id, locked_by_user_id = :user_id WHERE id = :id"
)
DOCUMENT_BODIES = Sql("SELECT body FROM document_revisions WHERE document_id = :id")
DELETE_DOCUMENT = Sql("DELETE FROM documents WHERE id = :id")

# ---------------------------------------------------------------- interactions (interactions.py)

# The issue (by id or identifier) with its interactions, oldest first; one row with NULL interaction
# columns when it has none, no row when the issue does not exist.
INTERACTIONS_OF_ISSUE = Sql("""
SELECT i.company_id AS issue_company_id, t.*
FROM issues i
LEFT JOIN LATERAL (SELECT * FROM issue_thread_interactions x WHERE x.issue_id = i.id
                   ORDER BY x.created_at, x.id LIMIT $3 OFFSET $4) t ON true
WHERE i.id = $1 OR i.identifier = $2
ORDER BY t.created_at, t.id
""")

# ---------------------------------------------------------------- tree holds (tree_holds.py)

# The subtree under a root, depth first in issue-number order, with each issue's live run.
SUBTREE = Sql(f"""
WITH RECURSIVE t AS (
    SELECT i.id, i.parent_id, i.identifier, i.title, i.status, i.assignee_agent_id, i.assignee_user_id,
           i.execution_run_id, 0 AS depth, ARRAY[coalesce(i.issue_number, 0)] AS path
    FROM issues i WHERE i.id = $1
    UNION ALL
    SELECT c.id, c.parent_id, c.identifier, c.title, c.status, c.assignee_agent_id, c.assignee_user_id,
           c.execution_run_id, t.depth + 1, t.path || coalesce(c.issue_number, 0)
    FROM issues c JOIN t ON c.parent_id = t.id
    WHERE t.depth < {MAX_DEPTH}
)
SELECT t.*, r.id AS run_id, r.status AS run_status, r.agent_id AS run_agent_id,
       r.started_at AS run_started_at, r.created_at AS run_created_at
FROM t LEFT JOIN heartbeat_runs r ON r.id = t.execution_run_id AND r.status IN ({sql_in(RUN_LIVE)})
ORDER BY t.path
""")

# Active holds rooted at the root's ancestors (they cover the whole subtree), nearest first.
ANCESTOR_HOLDS = Sql(f"""
WITH RECURSIVE up AS (
    SELECT i.parent_id AS id, 1 AS depth FROM issues i WHERE i.id = $1 AND i.parent_id IS NOT NULL
    UNION ALL
    SELECT p.parent_id, up.depth + 1 FROM issues p JOIN up ON p.id = up.id
    WHERE p.parent_id IS NOT NULL AND up.depth < {MAX_DEPTH}
)
SELECT h.id, h.mode, h.root_issue_id FROM up JOIN issue_tree_holds h ON h.root_issue_id = up.id
WHERE h.status = 'active' ORDER BY up.depth, h.created_at
""")

# ---------------------------------------------------------------- feedback bundles (feedback_bundle.py)

FEEDBACK_TARGET = Sql("""
SELECT co.issue_prefix, i.identifier,
       COALESCE(c.created_by_run_id, r.created_by_run_id) AS run_id,
       COALESCE(c.author_agent_id, r.created_by_agent_id) AS author_agent_id,
       COALESCE(c.author_user_id, r.created_by_user_id) AS author_user_id,
       COALESCE(c.created_at, r.created_at) AS created_at
FROM issues i
JOIN companies co ON co.id = i.company_id
LEFT JOIN issue_comments c ON :target_type = 'issue_comment' AND c.id = :target_id
LEFT JOIN document_revisions r ON :target_type = 'issue_document_revision' AND r.id = :target_id
WHERE i.id = :issue_id
""")

FEEDBACK_RUN = Sql("""
SELECT r.*, a.name AS agent_name, a.role AS agent_role, a.title AS agent_title, a.adapter_type,
       (SELECT count(*) FROM heartbeat_run_events e WHERE e.run_id = r.id) AS event_count
FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
WHERE r.id = :run_id AND r.company_id = :company_id
""")

FEEDBACK_RUN_EVENTS = Sql("""
SELECT id, company_id, run_id, agent_id, seq, event_type, stream, level, color, message, payload, created_at
FROM heartbeat_run_events WHERE run_id = :run_id ORDER BY seq LIMIT 5000
""")

# ---------------------------------------------------------------- queued comments (queued_comments.py)

_COMMENT_QUEUE = """
SELECT w.id AS request_id, w.requested_at, c.*,
       (SELECT r.id FROM heartbeat_runs r JOIN issues i ON i.execution_run_id = r.id
        WHERE i.id = :issue_id AND r.status IN ('queued', 'running')) AS target_run_id
FROM agent_wakeup_requests w
JOIN issue_comments c ON c.id = CAST(w.payload -> 'contextSnapshot' ->> 'wakeCommentId' AS uuid)
WHERE w.company_id = :company_id AND w.status = 'deferred_issue_execution'
  AND w.payload -> 'contextSnapshot' ->> 'issueId' = CAST(:issue_id AS text)
ORDER BY COALESCE(CAST(w.payload ->> 'queuePosition' AS integer), 2147483647), w.requested_at, w.id
"""

COMMENT_QUEUE_FOR_UPDATE = Sql(_COMMENT_QUEUE + "FOR UPDATE OF w")

COMMENT_QUEUE = Sql(_COMMENT_QUEUE)

EDIT_QUEUED_COMMENT = Sql("UPDATE issue_comments SET body = :body, updated_at = :now WHERE id = :id")

DELETE_QUEUED_COMMENT = Sql("DELETE FROM issue_comments WHERE id = :id")

CANCEL_QUEUED_COMMENT_WAKES = Sql("""
UPDATE agent_wakeup_requests SET status = 'cancelled', finished_at = :now, updated_at = :now,
       error = 'queued comment discarded'
WHERE id = ANY(:ids) AND status = 'deferred_issue_execution'
""")

SET_QUEUED_COMMENT_POSITION = Sql("""
UPDATE agent_wakeup_requests
SET payload = jsonb_set(COALESCE(payload, '{}'::jsonb), '{queuePosition}', to_jsonb(CAST(:position AS integer))),
    updated_at = :now
WHERE id = ANY(:ids)
""")

# ---------------------------------------------------------------- recovery actions (recovery.py)

ACTIVE_RECOVERY_ACTIONS = Sql(
    "SELECT * FROM issue_recovery_actions WHERE source_issue_id = :issue_id AND status = 'active' "
    "ORDER BY created_at DESC"
)

ACTIVE_RECOVERY_ACTION_FOR_UPDATE = Sql(
    "SELECT * FROM issue_recovery_actions WHERE source_issue_id = :issue_id AND status = 'active' FOR UPDATE"
)

CLOSE_RECOVERY_ACTION = Sql("""
    UPDATE issue_recovery_actions SET status = :status, outcome = :outcome, resolution_note = :note,
        evidence = evidence || CAST(:evidence AS jsonb), resolved_at = :now, updated_at = :now
    WHERE id = :id RETURNING *
""")

HAS_UNRESOLVED_BLOCKER = Sql("""
    SELECT EXISTS (SELECT 1 FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id
                   WHERE r.issue_id = :issue_id AND r.type = 'blocks' AND b.status <> 'done')
""")

SET_RECOVERED_ISSUE_STATUS = Sql("""
    UPDATE issues SET status = :status, started_at = coalesce(:started_at, started_at),
        completed_at = CASE WHEN CAST(:set_completed AS boolean) THEN CAST(:completed_at AS timestamptz)
                            ELSE completed_at END,
        cancelled_at = CASE WHEN CAST(:set_cancelled AS boolean) THEN CAST(:cancelled_at AS timestamptz)
                            ELSE cancelled_at END,
        checkout_run_id = CASE WHEN CAST(:unlock AS boolean) THEN NULL ELSE checkout_run_id END,
        execution_run_id = CASE WHEN CAST(:unlock AS boolean) THEN NULL ELSE execution_run_id END,
        execution_locked_at = CASE WHEN CAST(:unlock AS boolean) THEN NULL ELSE execution_locked_at END,
        execution_agent_name_key = CASE WHEN CAST(:unlock AS boolean) THEN NULL ELSE execution_agent_name_key END,
        updated_at = :now
    WHERE id = :id RETURNING *
""")

LABELS_OF_ISSUE = Sql(f"""
    SELECT COALESCE(json_agg({LABEL_JSON} ORDER BY l.name, l.id), '[]'::json)
    FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = :id
""")

# The scheduler's settlement: every active action of the legacy cause whose run has ended is resolved
# `blocked`; its issue, still in progress and unlocked, becomes blocked; one activity entry each.
SETTLE_RECOVERY_ACTIONS = Sql(f"""
    WITH due AS (
        SELECT a.id FROM issue_recovery_actions a
        WHERE a.status = 'active' AND a.cause = '{LEGACY_CAUSE}'
          AND NOT EXISTS (SELECT 1 FROM heartbeat_runs r WHERE r.id = a.run_id AND r.status IN ('queued', 'running'))
        ORDER BY a.id FOR UPDATE SKIP LOCKED
    ), settled AS (
        UPDATE issue_recovery_actions a SET status = 'resolved', outcome = 'blocked', resolved_at = :now,
            updated_at = :now
        FROM due WHERE a.id = due.id
        RETURNING a.id, a.company_id, a.source_issue_id
    ), blocked AS (
        UPDATE issues i SET status = 'blocked', updated_at = :now
        FROM settled s
        WHERE i.id = s.source_issue_id AND i.status = 'in_progress'
          AND i.checkout_run_id IS NULL AND i.execution_run_id IS NULL
        RETURNING i.id
    )
    INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, details, created_at)
    SELECT s.company_id, 'system', 'execution-recovery', 'issue.execution_recovery_settled', 'issue',
           s.source_issue_id::text,
           jsonb_build_object('replay', 'not_authorized', 'outcome', 'blocked', 'recoveryActionId', s.id),
           clock_timestamp()
    FROM settled s
    RETURNING entity_id
""")

# ---------------------------------------------------------------- a board comment supersedes pending questions (interaction_supersede.py)

SUPERSEDED = "superseded_by_comment"  # the outcome / expirationReason of a superseded interaction

# The issue's pending interactions that keep supersedeOnUserComment become expired, their result
# naming the comment; locked in id order (a racing resolution finds them no longer pending).
SUPERSEDE_ON_COMMENT = Sql(f"""
    UPDATE issue_thread_interactions SET
        status = 'expired',
        result = CASE kind
            WHEN 'ask_user_questions' THEN jsonb_build_object(
                'version', 1, 'answers', '[]'::jsonb, 'expirationReason', '{SUPERSEDED}',
                'commentId', CAST(:comment_id AS text), 'summaryMarkdown', NULL)
            WHEN 'request_item_verdicts' THEN jsonb_build_object(
                'version', 1, 'outcome', '{SUPERSEDED}', 'complete', false,
                'items', coalesce(result -> 'items', '[]'::jsonb), 'commentId', CAST(:comment_id AS text))
            ELSE jsonb_build_object('version', 1, 'outcome', '{SUPERSEDED}', 'commentId', CAST(:comment_id AS text))
        END,
        resolved_by_user_id = CAST(:user_id AS text), resolved_at = :now, updated_at = :now
    WHERE id IN (
        SELECT id FROM issue_thread_interactions
        WHERE issue_id = :issue_id AND status = 'pending'
          AND kind IN ('ask_user_questions', 'request_confirmation', 'request_checkbox_confirmation',
                       'request_item_verdicts')
          AND coalesce(payload ->> 'supersedeOnUserComment', 'true') <> 'false'
        ORDER BY id FOR UPDATE
    )
    RETURNING id, kind, result
""")

# ---------------------------------------------------------------- blocker diagnostics (diagnostics.py)

# An issue's blockers (their summary columns), in the order the relations were made; relations made
# by one request share their time, so the older blocker comes first (ids are random: not an order).
BLOCKERS_OF_ISSUE = Sql("""
SELECT b.id, b.identifier, b.title, b.status, b.priority, b.assignee_agent_id, b.assignee_user_id
FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id
WHERE r.issue_id = :issue_id AND r.type = 'blocks'
ORDER BY r.created_at, b.created_at, b.id
LIMIT :lim
""")

# Wake-up requests about issues (diagnostics.py /wakes and /subtree): a request names its issue in
# its payload (`issueId`, or the context snapshot's) or through the run it started; newest first.
WAKES_OF_ISSUES = Sql("""
SELECT x.issue_id, w.agent_id, w.source, w.reason, w.status, w.coalesced_count, w.run_id,
       w.requested_at, w.claimed_at, w.finished_at
FROM agent_wakeup_requests w
LEFT JOIN heartbeat_runs r ON r.id = w.run_id
CROSS JOIN LATERAL (SELECT COALESCE(w.payload ->> 'issueId', w.payload -> 'contextSnapshot' ->> 'issueId',
                                    r.context_snapshot ->> 'issueId') AS issue_id) x
WHERE w.company_id = :company_id AND w.requested_at >= :since AND x.issue_id = ANY(CAST(:issue_ids AS text[]))
ORDER BY w.requested_at DESC, w.id
""")

# An issue's descendants, breadth first to a depth (diagnostics.py /subtree).
SUBTREE_OF_ISSUE = Sql("""
WITH RECURSIVE t AS (
  SELECT i.id, i.parent_id, 0 AS depth FROM issues i WHERE i.id = :issue_id
  UNION ALL
  SELECT c.id, c.parent_id, t.depth + 1 FROM issues c JOIN t ON c.parent_id = t.id
  WHERE t.depth < :max_depth AND c.company_id = :company_id
)
SELECT i.id, i.identifier, i.title, i.status, i.priority, i.assignee_agent_id, i.assignee_user_id,
       t.parent_id, t.depth, i.created_at
FROM t JOIN issues i ON i.id = t.id
ORDER BY t.depth, i.created_at, i.id
LIMIT :lim
""")

# Whether an issue at the depth limit still has children (the subtree's depth truncation).
HAS_CHILDREN = Sql("""
SELECT EXISTS (SELECT 1 FROM issues WHERE parent_id = ANY(CAST(:ids AS uuid[])))
""")

"""The board UI's hand-written SQL (`paperclip.db.rawsql.Sql`, `:name` placeholders).

Pages of a GET request run these on the asyncpg read pool: parameters are typed values (UUID,
datetime, int, lists), never their text. The live streams (`/<PREFIX>/events`, the company
websocket) run them on sessions of their own, outside any request.
"""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# ---- board and dashboard -------------------------------------------------------------------------

# Visible issues per status (the board's column counts, the dashboard's status bar).
ISSUE_COUNTS_BY_STATUS = Sql("""SELECT status, count(*) AS n FROM issues
 WHERE company_id = :cid AND hidden_at IS NULL GROUP BY status""")

# The dashboard's live or failed runs: runs of these statuses created since `since`, newest first;
# `failed` leaves out the dismissed ones.
RECENT_RUNS_WITH_AGENT = Sql("""
SELECT r.id, r.status, r.agent_id, a.name AS agent_name, r.invocation_source, r.trigger_detail, r.error,
       r.error_code, r.started_at, r.finished_at, r.created_at
  FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
 WHERE r.company_id = :cid AND r.status = ANY(CAST(:statuses AS text[])) AND r.created_at >= :since
   AND (CAST(:failed AS boolean) = false OR r.dismissed_at IS NULL)
 ORDER BY r.created_at DESC LIMIT :lim""")

# Issues created and completed on each UTC day from `since` to `today` (both midnights).
ISSUES_CREATED_COMPLETED_PER_DAY = Sql("""
SELECT d::date::text AS day,
       (SELECT count(*) FROM issues i WHERE i.company_id = :cid AND i.created_at >= d AND i.created_at < d + interval '1 day') AS created,
       (SELECT count(*) FROM issues i WHERE i.company_id = :cid AND i.completed_at >= d AND i.completed_at < d + interval '1 day') AS completed
  FROM generate_series(CAST(:since AS timestamptz), CAST(:today AS timestamptz), interval '1 day') d""")

# The dashboard's agents: not terminated, the ones needing attention first.
DASHBOARD_AGENTS = Sql("""SELECT id, name, status, role, title, last_heartbeat_at FROM agents
 WHERE company_id = :cid AND status <> 'terminated'
 ORDER BY CASE status WHEN 'error' THEN 0 WHEN 'running' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END, name LIMIT 12""")

# ---- inbox ---------------------------------------------------------------------------------------

# What needs the board member `user`: open issues assigned to them, and issues they created that
# wait for review or are blocked.
_MINE = """(i.assignee_user_id = :user AND i.status = ANY(CAST(:open AS text[])))
        OR (i.created_by_user_id = :user AND i.status IN ('in_review', 'blocked'))"""
INBOX_ISSUES = Sql(f"""SELECT i.id, i.identifier, i.title, i.status, i.priority, i.assignee_agent_id,
       i.assignee_user_id, i.created_by_user_id, i.updated_at
  FROM issues i WHERE i.company_id = :cid AND i.hidden_at IS NULL AND ({_MINE})
 ORDER BY i.updated_at DESC LIMIT 200""")
# The badges of the navigation: the inbox's issues and the pending approvals.
INBOX_BADGE_COUNTS = Sql(f"""SELECT
  (SELECT count(*) FROM issues i WHERE i.company_id = :cid AND i.hidden_at IS NULL AND ({_MINE})) AS inbox,
  (SELECT count(*) FROM approvals a WHERE a.company_id = :cid AND a.status = 'pending') AS approvals""")
PENDING_APPROVALS = Sql("""SELECT id, type, status, payload, created_at FROM approvals
 WHERE company_id = :cid AND status = 'pending' ORDER BY created_at DESC LIMIT 50""")
# Failed runs of the last three days not dismissed yet.
UNDISMISSED_FAILED_RUNS = Sql("""SELECT r.id, r.status, r.error_code, r.error, r.created_at, a.name AS agent_name
  FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
 WHERE r.company_id = :cid AND r.status IN ('failed', 'timed_out') AND r.dismissed_at IS NULL
   AND r.created_at >= now() - interval '3 days' ORDER BY r.created_at DESC LIMIT 20""")

# ---- costs ---------------------------------------------------------------------------------------

# The costs page's five figures (total, per day, per agent, per project, per provider/model) in one
# scan of the range's cost events (GROUPING SETS) instead of five statements; names joined after
# aggregating. Was ~11 statements per page; each round trip costs more than the aggregation on a
# busy machine.
COST_REPORT = Sql("""
SELECT r.*, a.name AS agent_name, a.status AS agent_status, p.name AS project_name
  FROM (SELECT GROUPING(agent_id) AS g_agent, GROUPING(project_id) AS g_project, GROUPING(provider) AS g_provider,
               GROUPING(day) AS g_day, agent_id, project_id, provider, biller, billing_type, model, day,
               COALESCE(SUM(cost_cents), 0)::bigint AS cost, COALESCE(SUM(input_tokens), 0)::bigint AS input,
               COALESCE(SUM(cached_input_tokens), 0)::bigint AS cached, COALESCE(SUM(output_tokens), 0)::bigint AS output,
               COUNT(DISTINCT heartbeat_run_id) FILTER (WHERE NOT sub) AS api_runs,
               COUNT(DISTINCT heartbeat_run_id) FILTER (WHERE sub) AS sub_runs,
               COALESCE(SUM(cached_input_tokens) FILTER (WHERE sub), 0)::bigint AS sub_cached,
               COALESCE(SUM(input_tokens) FILTER (WHERE sub), 0)::bigint AS sub_input,
               COALESCE(SUM(output_tokens) FILTER (WHERE sub), 0)::bigint AS sub_output
          FROM (SELECT ce.agent_id, ce.project_id, ce.provider, ce.biller, ce.billing_type, ce.model,
                       ce.heartbeat_run_id, ce.cost_cents, ce.input_tokens, ce.cached_input_tokens, ce.output_tokens,
                       ce.billing_type = 'subscription_included' AS sub,
                       date_trunc('day', ce.occurred_at AT TIME ZONE 'UTC') AS day
                  FROM cost_events ce
                 WHERE ce.company_id = :cid AND ce.occurred_at >= :lo AND ce.occurred_at < :hi) ev
         GROUP BY GROUPING SETS ((agent_id), (project_id), (provider, biller, billing_type, model), (day), ())) r
  LEFT JOIN agents a ON a.id = r.agent_id
  LEFT JOIN projects p ON p.id = r.project_id
""")
# Every agent (with its status) and project of the company: the names of budget policies' scopes.
AGENT_AND_PROJECT_NAMES = Sql("""
SELECT 'agent' AS kind, id, name, status FROM agents WHERE company_id = :cid
UNION ALL
SELECT 'project', id, name, NULL FROM projects WHERE company_id = :cid
""")

# ---- small lookups of the pages ------------------------------------------------------------------

# Every agent's name (terminated ones too), by name: links, selects and names on many pages.
AGENT_NAMES = Sql("SELECT id, name FROM agents WHERE company_id = :cid ORDER BY name")
# The company's agents in the order a URL key picks among namesakes: live agents first, then oldest.
AGENTS_FOR_URL_KEY = Sql("""SELECT id, name FROM agents WHERE company_id = :cid
 ORDER BY status = 'terminated', created_at""")
# Issues per status of each of these projects (hidden issues included).
ISSUE_COUNTS_BY_PROJECT_AND_STATUS = Sql("""SELECT project_id, status, count(*) AS n FROM issues
 WHERE project_id = ANY(CAST(:project_ids AS uuid[])) GROUP BY project_id, status""")
# The company's issues with these identifiers (upper case), as identifier and id.
ISSUE_IDS_BY_IDENTIFIER = Sql("""SELECT identifier, id FROM issues
 WHERE company_id = :cid AND identifier = ANY(CAST(:identifiers AS text[]))""")
# The identifiers of these issues of the company (activity entries' links).
ISSUE_IDENTIFIERS_BY_IDS = Sql("""SELECT id, identifier FROM issues
 WHERE id = ANY(CAST(:ids AS uuid[])) AND company_id = :cid""")
# Identifier and title of these issues, and the names of these people (activity sentences).
ISSUE_TITLES_BY_IDS = Sql("SELECT id, identifier, title FROM issues WHERE id = ANY(CAST(:ids AS uuid[]))")
USER_NAMES_BY_IDS = Sql("SELECT id, name FROM auth_users WHERE id = ANY(CAST(:ids AS text[]))")
# Approvals of the company in these statuses (the approvals page's pending count).
APPROVAL_COUNT_IN_STATUSES = Sql("""SELECT count(*) FROM approvals
 WHERE company_id = :cid AND status = ANY(CAST(:statuses AS text[]))""")
# Live agents of the whole instance per adapter type (instance settings).
LIVE_AGENT_COUNTS_BY_ADAPTER = Sql("""SELECT adapter_type, count(*) AS n FROM agents
 WHERE status <> 'terminated' GROUP BY adapter_type""")
COMPANY_PREFIX = Sql("SELECT issue_prefix FROM companies WHERE id = :cid")

# ---- live streams (server-sent events and the company websocket) ---------------------------------

# What changed after `since`, oldest first: a reconnecting stream's replay, and the polling fallback
# behind a transaction pooler (no LISTEN).
ACTIVITY_SINCE = Sql("""SELECT id, action, entity_type, entity_id, agent_id, run_id, created_at FROM activity_log
 WHERE company_id = :cid AND created_at > :since ORDER BY created_at, id LIMIT :lim""")
RUNS_CHANGED_SINCE = Sql("""SELECT id, agent_id, status, updated_at FROM heartbeat_runs
 WHERE company_id = :cid AND updated_at > :since ORDER BY updated_at, id LIMIT :lim""")
# The runs whose logs an events stream follows (`ids`: the page's runs, of this company only).
RUN_LOG_FILES = Sql("""SELECT id, agent_id, status, log_ref FROM heartbeat_runs
 WHERE company_id = :cid AND id = ANY(CAST(:ids AS uuid[]))""")
# The activity entries named by a batch of notifications (`ids`: their ids as text).
ACTIVITY_BY_IDS = Sql("""SELECT id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id, details,
       created_at FROM activity_log WHERE id = ANY(CAST(:ids AS uuid[])) AND company_id = :cid""")
# The runs named by a batch of notifications, with their agents' status after the change.
RUNS_WITH_AGENT_BY_IDS = Sql("""SELECT r.id, r.agent_id, r.status, r.invocation_source, r.trigger_detail, r.wakeup_request_id,
       r.error, r.error_code, r.started_at, r.finished_at, r.log_ref, r.context_snapshot ->> 'issueId' AS issue_id,
       r.context_snapshot ->> 'source' AS context_source, r.result_json ->> 'result' AS result_text,
       r.result_json ->> 'summary' AS result_summary,
       a.status AS agent_status, a.last_heartbeat_at, a.adapter_type
  FROM heartbeat_runs r JOIN agents a ON a.id = r.agent_id
 WHERE r.id = ANY(CAST(:ids AS uuid[])) AND r.company_id = :cid""")
# The company's running runs when a websocket opens, with the last run event each has.
RUNNING_RUNS = Sql("""SELECT r.id, r.agent_id, r.log_ref, r.context_snapshot ->> 'issueId' AS issue_id,
       (SELECT a.adapter_type FROM agents a WHERE a.id = r.agent_id) AS adapter_type,
       (SELECT coalesce(max(e.seq), 0) FROM heartbeat_run_events e WHERE e.run_id = r.id) AS event_seq
  FROM heartbeat_runs r WHERE r.company_id = :cid AND r.status = 'running' LIMIT 200""")
# Run events after `seq` of these runs, in order per run.
RUN_EVENTS_AFTER = Sql("""SELECT run_id, seq, event_type, stream, level, color, message, payload, created_at
  FROM heartbeat_run_events WHERE run_id = ANY(CAST(:ids AS uuid[])) AND seq > :seq ORDER BY run_id, seq LIMIT :lim""")

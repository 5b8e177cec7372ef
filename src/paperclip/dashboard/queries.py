"""The dashboard's hand-written SQL (paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.activity.wire import ACTIVITY_ENTRY
from paperclip.db.rawsql import Sql
from paperclip.vocabulary import ISSUE_TERMINAL, sql_in

# Every figure of a company's dashboard in one statement (aggregates with FILTER): :cid the company,
# [:ms, :me) the month, :since the first day of the run activity, :recent the activity entries (wire
# JSON text, spliced into the answer as is).
DASHBOARD = Sql(f"""
SELECT c.budget_monthly_cents,
       ag.active, ag.running, ag.paused, ag.error, ag.paused_budget,
       iss.open, iss.in_progress, iss.blocked, iss.done,
       (SELECT COALESCE(SUM(ce.cost_cents), 0) FROM cost_events ce
         WHERE ce.company_id = c.id AND ce.occurred_at >= :ms AND ce.occurred_at < :me) AS month_spend,
       ap.pending, ap.pending_budget,
       (SELECT count(*) FROM budget_incidents bi WHERE bi.company_id = c.id AND bi.status = 'open') AS incidents,
       (SELECT count(*) FROM projects p WHERE p.company_id = c.id AND p.paused_at IS NOT NULL
                                          AND p.pause_reason = 'budget') AS paused_projects,
       (SELECT COALESCE(json_agg(json_build_array(r.day, r.status, r.error_code, r.n)), '[]'::json) FROM (
          SELECT (hr.created_at AT TIME ZONE 'UTC')::date::text AS day, hr.status, hr.error_code, count(*) AS n
            FROM heartbeat_runs hr WHERE hr.company_id = c.id AND hr.created_at >= :since
           GROUP BY 1, 2, 3) r) AS runs,
       (SELECT COALESCE(json_agg({ACTIVITY_ENTRY.sql_object("al")}
                 ORDER BY al.created_at DESC, al.id DESC), '[]'::json)::text
          FROM (SELECT * FROM activity_log WHERE company_id = c.id
                 ORDER BY created_at DESC, id DESC LIMIT :recent) al) AS recent
  FROM companies c
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status IN ('active', 'idle')) AS active,
              count(*) FILTER (WHERE status = 'running') AS running,
              count(*) FILTER (WHERE status = 'paused') AS paused,
              count(*) FILTER (WHERE status = 'error') AS error,
              count(*) FILTER (WHERE status = 'paused' AND pause_reason = 'budget') AS paused_budget
         FROM agents WHERE company_id = c.id) ag
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status NOT IN ({sql_in(ISSUE_TERMINAL)})) AS open,
              count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
              count(*) FILTER (WHERE status = 'blocked') AS blocked,
              count(*) FILTER (WHERE status = 'done') AS done
         FROM issues WHERE company_id = c.id AND hidden_at IS NULL) iss
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'pending' AND type = 'budget_override_required') AS pending_budget
         FROM approvals WHERE company_id = c.id) ap
 WHERE c.id = :cid
""")

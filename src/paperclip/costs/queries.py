"""Hand-written SQL of costs and budgets (see paperclip.db.rawsql)."""

from __future__ import annotations

import functools
from typing import Literal

from paperclip.db.rawsql import Sql

# -- budget incidents ----------------------------------------------------------------------------

# Open one incident per (policy, window, threshold); no row when one is already open. A resolved hard
# incident reopens; a resolved soft one only if the limit changed; a dismissed one at the same limit
# blocks a new one (that decision stands).
OPEN_INCIDENT = Sql("""
    INSERT INTO budget_incidents (id, company_id, policy_id, scope_type, scope_id, threshold_type,
                                  amount_limit, amount_observed, window_start, status)
    SELECT :id, :company_id, :policy_id, :scope_type, :scope_id, :threshold, :limit, :observed, :window_start, 'open'
    WHERE NOT EXISTS (
        SELECT 1 FROM budget_incidents d WHERE d.policy_id = :policy_id AND d.window_start = :window_start
          AND d.threshold_type = :threshold AND d.status = 'dismissed' AND d.amount_limit = :limit)
    ON CONFLICT (policy_id, window_start, threshold_type) WHERE status <> 'dismissed'
    DO UPDATE SET status = 'open', amount_limit = EXCLUDED.amount_limit, amount_observed = EXCLUDED.amount_observed,
                  approval_id = NULL, resolved_at = NULL, updated_at = now()
    WHERE budget_incidents.status = 'resolved'
      AND (budget_incidents.threshold_type = 'hard' OR budget_incidents.amount_limit <> EXCLUDED.amount_limit)
    RETURNING id
""")

# -- budget overview -----------------------------------------------------------------------------

# Policies with their scope's name and pause state and the spend observed in their window: :ms/:me
# the month's window, :ls/:le the lifetime window (typed: in a read request they run on asyncpg).
_POLICIES_WITH_SPEND = """
    SELECT p.id, p.company_id, p.scope_type, p.scope_id, p.metric, p.window_kind, p.amount, p.warn_percent,
           p.hard_stop_enabled, p.notify_enabled, p.is_active,
           COALESCE(a.name, pr.name, c.name) AS scope_name,
           CASE p.scope_type WHEN 'agent' THEN a.status = 'paused' WHEN 'project' THEN pr.paused_at IS NOT NULL
                ELSE c.status = 'paused' END AS paused,
           CASE p.scope_type WHEN 'agent' THEN a.pause_reason WHEN 'project' THEN pr.pause_reason
                ELSE c.pause_reason END AS pause_reason,
           (SELECT COALESCE(SUM(ce.cost_cents), 0) FROM cost_events ce
             WHERE ce.company_id = p.company_id
               AND ce.occurred_at >= CASE WHEN p.window_kind = 'lifetime' THEN CAST(:ls AS timestamptz)
                                          ELSE CAST(:ms AS timestamptz) END
               AND ce.occurred_at < CASE WHEN p.window_kind = 'lifetime' THEN CAST(:le AS timestamptz)
                                         ELSE CAST(:me AS timestamptz) END
               AND (p.scope_type = 'company' OR (p.scope_type = 'agent' AND ce.agent_id = p.scope_id)
                    OR (p.scope_type = 'project' AND ce.project_id = p.scope_id))) AS observed
      FROM budget_policies p
      LEFT JOIN agents a ON p.scope_type = 'agent' AND a.id = p.scope_id
      LEFT JOIN projects pr ON p.scope_type = 'project' AND pr.id = p.scope_id
      LEFT JOIN companies c ON p.scope_type = 'company' AND c.id = p.scope_id
     WHERE p.company_id = :cid {extra}
     ORDER BY p.updated_at DESC, p.id
"""
POLICIES_WITH_SPEND = Sql(_POLICIES_WITH_SPEND.format(extra=""))
POLICY_WITH_SPEND = Sql(_POLICIES_WITH_SPEND.format(extra="AND p.id = :pid"))

# Incidents with their policy's metric and window, their approval's status and their scope's name.
_INCIDENTS = """
    SELECT i.*, p.metric, p.window_kind, ap.status AS approval_status, COALESCE(a.name, pr.name, c.name) AS scope_name
      FROM budget_incidents i
      JOIN budget_policies p ON p.id = i.policy_id
      LEFT JOIN approvals ap ON ap.id = i.approval_id
      LEFT JOIN agents a ON i.scope_type = 'agent' AND a.id = i.scope_id
      LEFT JOIN projects pr ON i.scope_type = 'project' AND pr.id = i.scope_id
      LEFT JOIN companies c ON i.scope_type = 'company' AND c.id = i.scope_id
     WHERE i.company_id = :cid AND {where}
     ORDER BY i.created_at DESC, i.id
"""
OPEN_INCIDENTS = Sql(_INCIDENTS.format(where="i.status = 'open'"))
INCIDENT = Sql(_INCIDENTS.format(where="i.id = :iid"))

# What budget stops hold in the company now: paused agents and projects, approvals awaited.
BUDGET_PAUSE_COUNTS = Sql("""
    SELECT (SELECT count(*) FROM agents WHERE company_id = :cid AND status = 'paused' AND pause_reason = 'budget')
             AS paused_agents,
           (SELECT count(*) FROM projects WHERE company_id = :cid AND paused_at IS NOT NULL AND pause_reason = 'budget')
             AS paused_projects,
           (SELECT count(*) FROM approvals WHERE company_id = :cid AND status = 'pending'
                                             AND type = 'budget_override_required') AS pending_approvals
""")

# -- finance -------------------------------------------------------------------------------------

# A finance event may name a cost event of its company only.
COST_EVENT_COMPANY = Sql("SELECT company_id FROM cost_events WHERE id = :id")

# Either bound may be NULL (open range).
_RANGE = "(CAST(:lo AS timestamptz) IS NULL OR {col} >= :lo) AND (CAST(:hi AS timestamptz) IS NULL OR {col} <= :hi)"
_FIN_SUMS = """COALESCE(SUM(amount_cents) FILTER (WHERE direction = 'debit'), 0) AS debit,
       COALESCE(SUM(amount_cents) FILTER (WHERE direction = 'credit'), 0) AS credit,
       COALESCE(SUM(amount_cents) FILTER (WHERE direction = 'debit' AND estimated), 0) AS estimated,
       count(*) AS events"""
_FIN_WHERE = "company_id = :cid AND " + _RANGE.format(col="occurred_at")

FINANCE_SUMS = Sql(f"SELECT {_FIN_SUMS} FROM finance_events WHERE {_FIN_WHERE}")


@functools.cache
def finance_sums_by(key: Literal["biller", "event_kind"]) -> Sql:
    """Finance sums grouped by `key` (as `k`), with how many of the other dimension each group has."""
    other = "event_kind" if key == "biller" else "biller"
    return Sql(f"""SELECT {key} AS k, {_FIN_SUMS}, count(DISTINCT {other}) AS others FROM finance_events
             WHERE {_FIN_WHERE} GROUP BY {key}
             ORDER BY SUM(amount_cents) FILTER (WHERE direction = 'debit') DESC NULLS LAST, {key}""")


# Cost events per biller, with the subscription-included part apart.
COST_BY_BILLER = Sql(f"""SELECT biller, COALESCE(SUM(cost_cents), 0) AS cost, COALESCE(SUM(input_tokens), 0) AS input,
                   COALESCE(SUM(cached_input_tokens), 0) AS cached, COALESCE(SUM(output_tokens), 0) AS output,
                   count(DISTINCT heartbeat_run_id) FILTER (WHERE billing_type <> 'subscription_included') AS api_runs,
                   count(DISTINCT heartbeat_run_id) FILTER (WHERE billing_type = 'subscription_included') AS sub_runs,
                   COALESCE(SUM(cached_input_tokens) FILTER (WHERE billing_type = 'subscription_included'), 0) AS sub_cached,
                   COALESCE(SUM(input_tokens) FILTER (WHERE billing_type = 'subscription_included'), 0) AS sub_input,
                   COALESCE(SUM(output_tokens) FILTER (WHERE billing_type = 'subscription_included'), 0) AS sub_output,
                   count(DISTINCT provider) AS providers, count(DISTINCT model) AS models
              FROM cost_events WHERE company_id = :cid AND {_RANGE.format(col="occurred_at")}
             GROUP BY biller ORDER BY SUM(cost_cents) DESC, biller""")

# Rolling spend per provider and biller over the windows subscription quotas are counted in.
WINDOW_SPEND = Sql("""SELECT w.label, w.hours, c.provider, c.biller, SUM(c.cost_cents) AS cost, SUM(c.input_tokens) AS input,
                  SUM(c.cached_input_tokens) AS cached, SUM(c.output_tokens) AS output
             FROM (VALUES ('5h', 5, 0), ('24h', 24, 1), ('7d', 168, 2)) AS w(label, hours, ord)
             JOIN cost_events c ON c.company_id = :cid
                               AND c.occurred_at > CAST(:now AS timestamptz) - make_interval(hours => w.hours)
                               AND c.occurred_at <= CAST(:now AS timestamptz)
            GROUP BY w.label, w.hours, w.ord, c.provider, c.biller
            ORDER BY w.ord, SUM(c.cost_cents) DESC, c.provider, c.biller""")

# -- reports -------------------------------------------------------------------------------------

# Spend on an issue and its descendants: costs, runs and their runtime.
ISSUE_TREE_SPEND = Sql("""
WITH RECURSIVE tree AS (
    SELECT id FROM issues WHERE id = :iid
    UNION
    SELECT i.id FROM issues i JOIN tree t ON i.parent_id = t.id WHERE i.company_id = :cid
)
SELECT (SELECT count(*) FROM tree) AS issue_count,
       COALESCE(SUM(ce.cost_cents), 0) AS cost, COALESCE(SUM(ce.input_tokens), 0) AS input,
       COALESCE(SUM(ce.cached_input_tokens), 0) AS cached, COALESCE(SUM(ce.output_tokens), 0) AS output,
       (SELECT count(*) FROM heartbeat_runs hr WHERE hr.company_id = :cid
           AND hr.context_snapshot->>'issueId' IN (SELECT id::text FROM tree)) AS runs,
       (SELECT COALESCE(SUM(EXTRACT(EPOCH FROM (hr.finished_at - hr.started_at)) * 1000), 0)::bigint
          FROM heartbeat_runs hr WHERE hr.company_id = :cid AND hr.started_at IS NOT NULL AND hr.finished_at IS NOT NULL
           AND hr.context_snapshot->>'issueId' IN (SELECT id::text FROM tree)) AS runtime
  FROM cost_events ce WHERE ce.company_id = :cid AND ce.issue_id IN (SELECT id FROM tree)
""")

"""CHECK constraints on the status columns, rendered from the domain vocabulary (paperclip.vocabulary).

Attached to the tables here, in one list, rather than in each model: a status set changes in
vocabulary.py, this list renders it, and a new migration replaces the constraint (migrations keep
the literal text of their time; `tests/db/test_status_checks.py` checks the database against this).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from paperclip.db.models.agents import Agent
from paperclip.db.models.companies import Company
from paperclip.db.models.feedback import FeedbackVote
from paperclip.db.models.governance import Approval, BudgetIncident
from paperclip.db.models.interactions import IssueThreadInteraction
from paperclip.db.models.routines import Routine, RoutineRun, RoutineTrigger
from paperclip.db.models.runs import AgentWakeupRequest, HeartbeatRun
from paperclip.db.models.tree_holds import IssueTreeHold
from paperclip.db.models.work import Goal, Issue, Project
from paperclip.vocabulary import (
    AGENT_STATUSES,
    APPROVAL_STATUSES,
    CATCH_UP_POLICIES,
    COMPANY_STATUSES,
    CONCURRENCY_POLICIES,
    CONTINUATION_POLICIES,
    FEEDBACK_TARGET_TYPES,
    FEEDBACK_VOTES,
    GOAL_STATUSES,
    INCIDENT_STATUSES,
    INTERACTION_KINDS,
    INTERACTION_STATUSES,
    ISSUE_STATUSES,
    PAUSE_REASONS,
    PROJECT_STATUSES,
    RESOLVER_POLICIES,
    ROUTINE_RUN_SOURCES,
    ROUTINE_RUN_STATUSES,
    ROUTINE_STATUSES,
    RUN_STATUSES,
    SIGNING_MODES,
    TREE_HOLD_MODES,
    TREE_HOLD_STATUSES,
    TRIGGER_KINDS,
    WAKEUP_STATUSES,
    check_in,
    check_in_or_null,
)

# (table, column, allowed values, NULL allowed)
STATUS_CHECKS: list[tuple[Any, str, frozenset[str], bool]] = [
    (Company.__table__, "status", COMPANY_STATUSES, False),
    (Company.__table__, "pause_reason", PAUSE_REASONS, True),
    (Agent.__table__, "status", AGENT_STATUSES, False),
    (Agent.__table__, "pause_reason", PAUSE_REASONS, True),
    (Project.__table__, "status", PROJECT_STATUSES, False),
    (Project.__table__, "pause_reason", PAUSE_REASONS, True),
    (Goal.__table__, "status", GOAL_STATUSES, False),
    (Issue.__table__, "status", ISSUE_STATUSES, False),
    (HeartbeatRun.__table__, "status", RUN_STATUSES, False),
    (AgentWakeupRequest.__table__, "status", WAKEUP_STATUSES, False),
    (Approval.__table__, "status", APPROVAL_STATUSES, False),
    (BudgetIncident.__table__, "status", INCIDENT_STATUSES, False),
    (Routine.__table__, "status", ROUTINE_STATUSES, False),
    (Routine.__table__, "concurrency_policy", CONCURRENCY_POLICIES, False),
    (Routine.__table__, "catch_up_policy", CATCH_UP_POLICIES, False),
    (RoutineTrigger.__table__, "kind", TRIGGER_KINDS, False),
    (RoutineTrigger.__table__, "signing_mode", SIGNING_MODES, True),
    (RoutineRun.__table__, "source", ROUTINE_RUN_SOURCES, False),
    (RoutineRun.__table__, "status", ROUTINE_RUN_STATUSES, False),
    (IssueThreadInteraction.__table__, "kind", INTERACTION_KINDS, False),
    (IssueThreadInteraction.__table__, "status", INTERACTION_STATUSES, False),
    (IssueThreadInteraction.__table__, "continuation_policy", CONTINUATION_POLICIES, False),
    (IssueThreadInteraction.__table__, "requested_resolver_policy", RESOLVER_POLICIES, False),
    (IssueThreadInteraction.__table__, "effective_resolver_policy", RESOLVER_POLICIES, False),
    (IssueTreeHold.__table__, "mode", TREE_HOLD_MODES, False),
    (IssueTreeHold.__table__, "status", TREE_HOLD_STATUSES, False),
    (FeedbackVote.__table__, "target_type", FEEDBACK_TARGET_TYPES, False),
    (FeedbackVote.__table__, "vote", FEEDBACK_VOTES, False),
]

for _table, _column, _values, _nullable in STATUS_CHECKS:
    _table.append_constraint(
        sa.CheckConstraint(
            check_in_or_null(_column, _values) if _nullable else check_in(_column, _values), name=_column
        )
    )

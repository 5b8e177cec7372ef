"""The domain's vocabulary, once: every status set and the subsets rules are written with (reference
core §3 constants). Python code imports the sets; hand-written SQL embeds them rendered by `sql_in`
(at import time, so a hot statement's text is a constant); the CHECK constraints on the status
columns (db/models, migration 0005) are rendered from the same sets.

A `Literal` is the single definition of each set (pydantic bodies validate against it, mypy checks
it); the frozenset beside it is derived. This module imports nothing of the project: anyone may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

# ---------------------------------------------------------------- companies, projects, goals

CompanyStatus = Literal["active", "paused", "archived"]
COMPANY_STATUSES: frozenset[str] = frozenset(get_args(CompanyStatus))

PauseReason = Literal["manual", "budget", "system", "company_archived"]
PAUSE_REASONS: frozenset[str] = frozenset(get_args(PauseReason))

ProjectStatus = Literal["backlog", "planned", "in_progress", "completed", "cancelled"]
PROJECT_STATUSES: frozenset[str] = frozenset(get_args(ProjectStatus))

GoalStatus = Literal["planned", "active", "achieved", "cancelled"]
GOAL_STATUSES: frozenset[str] = frozenset(get_args(GoalStatus))

# ---------------------------------------------------------------- agents

AgentStatus = Literal["active", "paused", "idle", "running", "error", "pending_approval", "terminated"]
AGENT_STATUSES: frozenset[str] = frozenset(get_args(AgentStatus))
# An agent in one of these is not woken and its queued runs are not started (core §5.1, §5.3).
AGENT_NOT_INVOKABLE: frozenset[str] = frozenset({"paused", "terminated", "pending_approval"})
# Work cannot be assigned to (or checked out for) an agent in one of these (core §7.5).
AGENT_UNASSIGNABLE: frozenset[str] = frozenset({"terminated", "pending_approval"})

# ---------------------------------------------------------------- heartbeats

RunStatus = Literal["queued", "running", "succeeded", "failed", "timed_out", "cancelled"]
RUN_STATUSES: frozenset[str] = frozenset(get_args(RunStatus))
RUN_LIVE: frozenset[str] = frozenset({"queued", "running"})  # holds its issue's execution/checkout lock
RUN_TERMINAL: frozenset[str] = RUN_STATUSES - RUN_LIVE

WakeupStatus = Literal[
    "queued",
    "deferred_issue_execution",
    "claimed",
    "coalesced",
    "skipped",
    "completed",
    "failed",
    "cancelled",
]
WAKEUP_STATUSES: frozenset[str] = frozenset(get_args(WakeupStatus))
WAKEUP_PENDING: frozenset[str] = frozenset(
    {"queued", "deferred_issue_execution"}
)  # cancelled by a pause/stop

# ---------------------------------------------------------------- issues

IssueStatus = Literal["backlog", "todo", "in_progress", "in_review", "done", "blocked", "cancelled"]
ISSUE_STATUSES: frozenset[str] = frozenset(get_args(IssueStatus))
ISSUE_TERMINAL: frozenset[str] = frozenset({"done", "cancelled"})
ISSUE_OPEN: frozenset[str] = ISSUE_STATUSES - ISSUE_TERMINAL

# ---------------------------------------------------------------- governance

ApprovalStatus = Literal["pending", "revision_requested", "approved", "rejected", "cancelled"]
APPROVAL_STATUSES: frozenset[str] = frozenset(get_args(ApprovalStatus))
APPROVAL_DECIDABLE: frozenset[str] = frozenset({"pending", "revision_requested"})

IncidentStatus = Literal["open", "resolved", "dismissed"]
INCIDENT_STATUSES: frozenset[str] = frozenset(get_args(IncidentStatus))


# ---------------------------------------------------------------- routines (core §2.17)

RoutineStatus = Literal["active", "paused", "archived"]
ROUTINE_STATUSES: frozenset[str] = frozenset(get_args(RoutineStatus))
ConcurrencyPolicy = Literal["coalesce_if_active", "always_enqueue", "skip_if_active"]
CONCURRENCY_POLICIES: frozenset[str] = frozenset(get_args(ConcurrencyPolicy))
CatchUpPolicy = Literal["skip_missed", "enqueue_missed_with_cap"]
CATCH_UP_POLICIES: frozenset[str] = frozenset(get_args(CatchUpPolicy))
TriggerKind = Literal["schedule", "webhook", "api"]
TRIGGER_KINDS: frozenset[str] = frozenset(get_args(TriggerKind))
SigningMode = Literal["bearer", "hmac_sha256", "github_hmac", "none"]
SIGNING_MODES: frozenset[str] = frozenset(get_args(SigningMode))
RoutineRunSource = Literal["schedule", "manual", "api", "webhook"]
ROUTINE_RUN_SOURCES: frozenset[str] = frozenset(get_args(RoutineRunSource))
RoutineRunStatus = Literal["received", "coalesced", "skipped", "issue_created", "completed", "failed"]
ROUTINE_RUN_STATUSES: frozenset[str] = frozenset(get_args(RoutineRunStatus))


# ---------------------------------------------------------------- issue-thread interactions

InteractionKind = Literal[
    "suggest_tasks",
    "ask_user_questions",
    "request_confirmation",
    "request_checkbox_confirmation",
    "request_item_verdicts",
]
INTERACTION_KINDS: frozenset[str] = frozenset(get_args(InteractionKind))
InteractionStatus = Literal["pending", "answered", "accepted", "rejected", "cancelled", "expired"]
INTERACTION_STATUSES: frozenset[str] = frozenset(get_args(InteractionStatus))
ContinuationPolicy = Literal["none", "wake_assignee", "wake_assignee_on_accept"]
CONTINUATION_POLICIES: frozenset[str] = frozenset(get_args(ContinuationPolicy))
# What a request may name; board_or_agents and board_only are the older names of anyone / human_only.
RequestedResolverPolicy = Literal["anyone", "not_creator", "human_only", "board_or_agents", "board_only"]
ResolverPolicy = Literal["anyone", "not_creator", "human_only"]
RESOLVER_POLICIES: frozenset[str] = frozenset(get_args(ResolverPolicy))

# ---------------------------------------------------------------- issue tree holds

TreeHoldMode = Literal["pause", "resume", "cancel", "restore"]
TREE_HOLD_MODES: frozenset[str] = frozenset(get_args(TreeHoldMode))
TreeHoldStatus = Literal["active", "released"]
TREE_HOLD_STATUSES: frozenset[str] = frozenset(get_args(TreeHoldStatus))

# ---------------------------------------------------------------- feedback votes

FeedbackTargetType = Literal["issue_comment", "issue_document_revision"]
FEEDBACK_TARGET_TYPES: frozenset[str] = frozenset(get_args(FeedbackTargetType))
FeedbackVoteValue = Literal["up", "down"]
FEEDBACK_VOTES: frozenset[str] = frozenset(get_args(FeedbackVoteValue))


# ---------------------------------------------------------------- rendering into SQL


def sql_in(values: Iterable[str]) -> str:
    """`'a', 'b'` for `status IN (...)` in hand-written SQL; sorted, so a statement's text is stable.
    Only for the constant sets of this module (the values are checked to be plain words)."""
    items = sorted(values)
    for value in items:
        if not value.replace("_", "").isalnum():
            raise ValueError(f"not a vocabulary word: {value!r}")
    return ", ".join(f"'{value}'" for value in items)


def check_in(column: str, values: Iterable[str]) -> str:
    """The text of a CHECK constraint that `column` holds one of `values`."""
    return f"{column} IN ({sql_in(values)})"


def check_in_or_null(column: str, values: Iterable[str]) -> str:
    return f"{column} IS NULL OR {column} IN ({sql_in(values)})"

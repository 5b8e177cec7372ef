"""The run state machine, declared once (core §5.4):

    (new) → queued →(claim)→ running → succeeded | failed | timed_out | cancelled
                  queued → cancelled
                  running → queued (handed back unstarted by a stopping runner)

Every statement that changes `heartbeat_runs.status` lives in `paperclip.runs.lifecycle`, and
guards the old status in its WHERE; tests/heartbeat/test_run_transitions.py reads those statements
and checks each guard and each new status against this table (and that no other module writes runs).
"""

from __future__ import annotations

from paperclip.vocabulary import RUN_STATUSES, RUN_TERMINAL

CREATED = "queued"  # the only status a run is inserted with

# old status → the statuses it may become; a terminal status never changes again.
TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"running", "cancelled"}),
    # running → queued: a stopping runner hands back a run it claimed but never started (lifecycle.hand_back)
    "running": RUN_TERMINAL | {"queued"},
    **{status: frozenset() for status in RUN_TERMINAL},
}
assert set(TRANSITIONS) == RUN_STATUSES  # every status of the vocabulary has its row

# How a run ends (the runner's outcome, the reaper's failure): a terminal status (`running` may also go back
# to `queued`, but only through lifecycle.hand_back).
ENDINGS: frozenset[str] = RUN_TERMINAL


# Why a queued run was cancelled instead of claimed, or an agent's work stopped (heartbeat_runs.error /
# error_code).
BUDGET_BLOCKED = "budget_blocked"  # heartbeat_runs.error_code of a run a budget stop cancelled
PROJECT_PAUSED = "Project is paused"
PROJECT_BUDGET_STOPPED = "Project is paused because its budget hard-stop was reached"


def allowed(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())

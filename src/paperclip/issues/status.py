"""The issue status machine (§7.1): who may move an issue where, and the timestamps each move sets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paperclip.auth.actor import Actor
from paperclip.errors import Unprocessable

# The V1 contract, enforced for agents. The board may move an issue anywhere (like the original).
AGENT_TRANSITIONS: dict[str, frozenset[str]] = {
    "backlog": frozenset({"todo", "cancelled"}),
    "todo": frozenset({"in_progress", "blocked", "cancelled"}),
    "in_progress": frozenset({"in_review", "blocked", "done", "cancelled"}),
    "in_review": frozenset({"in_progress", "done", "cancelled"}),
    "blocked": frozenset({"todo", "in_progress", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}


def check_transition(actor: Actor, current: str, target: str) -> None:
    if target == current or not actor.is_agent:
        return
    if target == "in_progress":
        raise Unprocessable("Agents must check out an issue to start it (POST /api/issues/{id}/checkout)")
    if target not in AGENT_TRANSITIONS.get(current, frozenset()):
        raise Unprocessable(f"Invalid status transition: {current} -> {target}")


def status_effects(current: str, target: str, now: datetime) -> dict[str, Any]:
    """Column values a status change implies (entering in_progress starts the clock; leaving done or
    cancelled clears its timestamp; leaving in_progress drops the checkout lock)."""
    if target == current:
        return {}
    values: dict[str, Any] = {"status": target}
    if target == "in_progress":
        values["started_at"] = now
    if target == "done":
        values["completed_at"] = now
    elif current == "done":
        values["completed_at"] = None
    if target == "cancelled":
        values["cancelled_at"] = now
    elif current == "cancelled":
        values["cancelled_at"] = None
    if current == "in_progress":
        values.update(
            checkout_run_id=None,
            execution_run_id=None,
            execution_locked_at=None,
            execution_agent_name_key=None,
        )
    return values

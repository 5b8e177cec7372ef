"""The vocabulary's derived sets stay inside their parent sets, and SQL renders only plain words."""

from __future__ import annotations

import pytest

from paperclip import vocabulary as v


def test_subsets_belong_to_their_sets():
    assert v.AGENT_NOT_INVOKABLE <= v.AGENT_STATUSES and v.AGENT_UNASSIGNABLE <= v.AGENT_NOT_INVOKABLE
    assert v.RUN_LIVE | v.RUN_TERMINAL == v.RUN_STATUSES and not v.RUN_LIVE & v.RUN_TERMINAL
    assert v.ISSUE_TERMINAL <= v.ISSUE_STATUSES and v.APPROVAL_DECIDABLE <= v.APPROVAL_STATUSES
    assert v.WAKEUP_PENDING <= v.WAKEUP_STATUSES


def test_sql_in_renders_sorted_words_and_refuses_anything_else():
    assert v.sql_in(v.RUN_LIVE) == "'queued', 'running'"
    with pytest.raises(ValueError):
        v.sql_in(["ok'; DROP TABLE agents; --"])

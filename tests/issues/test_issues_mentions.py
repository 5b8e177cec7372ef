"""Pure mention matching (no database)."""

from __future__ import annotations

import uuid

from paperclip.issues.mentions import mentioned_names

A, B, C, D = (uuid.uuid4() for _ in range(4))
NAMES = {A: "Alpha", B: "Alpha Bot", C: "Q&A (lead)", D: "beta"}


def test_longest_name_claims_the_text():
    assert mentioned_names("hi @alpha bot", NAMES) == [B]
    assert set(mentioned_names("@Alpha and @ALPHA BOT", NAMES)) == {A, B}


def test_word_boundaries_and_special_characters():
    assert mentioned_names("mail me at x@beta.com", NAMES) == []
    assert mentioned_names("@betamax", NAMES) == []
    assert mentioned_names("@beta, please", NAMES) == [D]
    assert mentioned_names("ask @q&a (lead) now", NAMES) == [C]
    assert mentioned_names("no mentions here", NAMES) == []
    assert mentioned_names("@@beta", NAMES) == []

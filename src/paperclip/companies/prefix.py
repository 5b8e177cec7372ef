"""Issue prefixes: derived from the company name, unique per instance (PAP, then PAPA, PAPAA, ...)."""

from __future__ import annotations

import re
from collections.abc import Iterator

FALLBACK_PREFIX = "CMP"
_NON_LETTERS = re.compile(r"[^A-Z]")


def base_prefix(name: str) -> str:
    letters = _NON_LETTERS.sub("", name.upper())
    return letters[:3] or FALLBACK_PREFIX


def candidates(base: str, taken: set[str]) -> Iterator[str]:
    """The prefixes to try in order, skipping ones already known to be taken."""
    suffix = 0
    while True:
        prefix = base + "A" * suffix
        suffix += 1
        if prefix not in taken:
            yield prefix

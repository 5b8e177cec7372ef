"""Opaque tokens: generated from 24 random bytes, stored only as a SHA-256 hex digest."""

from __future__ import annotations

import hashlib
import secrets

AGENT_KEY_PREFIX = "pcp_"
BOARD_KEY_PREFIX = "pcp_board_"


def new_token(prefix: str = AGENT_KEY_PREFIX) -> str:
    return prefix + secrets.token_hex(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

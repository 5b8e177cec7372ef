"""Adapter tests share the heartbeat test helpers (row factories, waiting for runs, fake CLIs)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "heartbeat"))

from hb_support import Factory  # noqa: E402


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)

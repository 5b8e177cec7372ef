"""Heartbeat test fixtures: companies and agents are inserted as rows (see hb_support)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hb_support import Factory  # noqa: E402


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)

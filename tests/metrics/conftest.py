"""Metrics tests: the app with PAPERCLIP_METRICS_ENABLED, rows made by the heartbeat tests' factory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "heartbeat"))

from hb_support import Factory  # noqa: E402


@pytest.fixture
def settings(make_settings):
    return make_settings({"PAPERCLIP_METRICS_ENABLED": "true"})


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)

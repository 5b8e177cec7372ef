"""Metrics tests: the app with PAPERCLIP_METRICS_ENABLED; rows from the shared `factory` (tests/factories.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def settings(make_settings):
    return make_settings({"PAPERCLIP_METRICS_ENABLED": "true"})

"""Fixtures for portability tests (helpers in porto_helpers.py)."""

from __future__ import annotations

import pytest
from porto_helpers import Api


@pytest.fixture
def api(client) -> Api:
    return Api(client)

"""Adapter tests use the heartbeat tests' fake CLIs and process checks (tests/heartbeat/hb_support.py);
rows come from the shared `factory` (tests/factories.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "heartbeat"))

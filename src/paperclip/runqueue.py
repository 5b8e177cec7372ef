"""Queue primitives every feature may use without importing the heartbeat runtime: the NOTIFY
channels the runner listens on, and `notify`. (Stopping an agent's work, `cancel_agent_work`, is a
run transition: paperclip/runs/lifecycle.py.)

A leaf: it imports nothing of the project.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

WAKE_CHANNEL = "paperclip_wakeup"
CANCEL_CHANNEL = "paperclip_run_cancel"


async def notify(session: AsyncSession, channel: str, payload: str = "") -> None:
    await session.execute(sa.select(sa.func.pg_notify(channel, payload)))

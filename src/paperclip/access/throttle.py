"""Sign-in throttling per account and per client address, and sign-up throttling per client address,
shared by every replica (a table).

Failed attempts are counted in fixed windows outside the request's transaction (a failed sign-in
rolls its request back, the count must stay). Keys hold a SHA-256 of the email, never the email.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from paperclip.access import queries
from paperclip.auth.tokens import hash_token
from paperclip.db.rawsql import Sql

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 10
MAX_FAILURES_PER_ADDRESS = 50

# Sign-ups are counted whether they succeed or not (each costs an argon2 hash), one atomic statement.
SIGN_UP_WINDOW = timedelta(hours=1)
MAX_SIGN_UPS_PER_ADDRESS = 20


@dataclass(frozen=True)
class ThrottleKeys:
    account: str
    address: str | None

    @classmethod
    def of(cls, email: str, address: str | None) -> ThrottleKeys:
        return cls(account="email:" + hash_token(email), address=("ip:" + address) if address else None)

    def all(self) -> list[str]:
        return [k for k in (self.account, self.address) if k]


async def retry_after(state, keys: ThrottleKeys, now: datetime) -> int | None:
    """Seconds until the caller may try again, or None when not throttled."""
    rows = await _independent(state, queries.THROTTLE_STATE, keys.all(), fetch_all=True)
    wait = 0.0
    for row in rows:
        limit = MAX_FAILURES_PER_ACCOUNT if row["key"] == keys.account else MAX_FAILURES_PER_ADDRESS
        ends = row["window_started_at"] + WINDOW
        if row["attempts"] >= limit and ends > now:
            wait = max(wait, (ends - now).total_seconds())
    return max(1, math.ceil(wait)) if wait else None


async def record_failure(state, keys: ThrottleKeys, now: datetime) -> None:
    for key in keys.all():
        await _independent(state, queries.COUNT_FAILURE, key, now, now - WINDOW)


async def clear_account(state, keys: ThrottleKeys) -> None:
    await _independent(state, queries.CLEAR_THROTTLE, keys.account)


async def _independent(state, sql: Sql, *args, fetch_all: bool = False):
    """Run one statement in a transaction of its own (the asyncpg pool, else a short session)."""
    pool = getattr(state, "read_pool", None)
    if pool is not None:
        if fetch_all:
            return [dict(r) for r in await pool.fetch(sql.text, *args)]
        return await sql.fetchrow_autocommit(pool, *args)
    async with state.sessions() as session:
        result = await (sql.fetch(session, *args) if fetch_all else sql.fetchrow(session, *args))
        await session.commit()
        return result


async def count_sign_up(state, address: str | None, now: datetime) -> int | None:
    """Counts one sign-up attempt from `address`; the seconds to wait when it is over the limit."""
    if not address:
        return None
    row = await _independent(state, queries.COUNT_SIGN_UP, "signup-ip:" + address, now, now - SIGN_UP_WINDOW)
    if row["attempts"] <= MAX_SIGN_UPS_PER_ADDRESS:
        return None
    return max(1, math.ceil((row["window_started_at"] + SIGN_UP_WINDOW - now).total_seconds()))

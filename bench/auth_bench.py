"""Actor resolution cost (not a test): what knowing the caller adds to a GET request, in-process.

Starts a throwaway embedded PostgreSQL, migrates it, makes a user with two company memberships, a
session and a board API key, then resolves the actor of a read request N times each way, through
the same code and pools a request uses (the asyncpg read pool): the local board (local_trusted, no
database), a session cookie, a board API key — each with the verified-token cache missed every
time (one SQL statement) and warm (auth/actor_cache.py). Prints wall and CPU time per resolution, and the
sign-in cost (argon2id verify) of the chosen hash parameters.

    .venv/bin/python bench/auth_bench.py [--n 3000]

The HTTP comparison on a real server (same data, local_trusted then authenticated) is
`bench/api_bench.py --auth`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def measure(url: str, n: int) -> None:
    from paperclip.access.passwords import HASHER
    from paperclip.auth.resolve import resolve_actor
    from paperclip.auth.sessions import new_session_token
    from paperclip.auth.tokens import hash_token, new_token
    from paperclip.config import load_settings
    from paperclip.db.engine import libpq_url, make_async_engine, session_factory
    from paperclip.db.rawsql import READ_POOL_KEY, create_read_pool

    home = Path(tempfile.mkdtemp(prefix="paperclip-authbench-home-"))
    local = load_settings({"PAPERCLIP_HOME": str(home)})
    authed = load_settings(
        {
            "PAPERCLIP_HOME": str(home),
            "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
            "BETTER_AUTH_SECRET": "bench-secret-0123456789abcdef",
        }
    )
    engine = make_async_engine(url, autocommit=True)
    sessions = session_factory(engine)
    pool = await create_read_pool(libpq_url(url), prepared_statements=True, max_size=4, connect_timeout=10)
    cookie, key = new_session_token(), new_token("pcp_board_")
    async with engine.begin() as conn:
        import sqlalchemy as sa

        await conn.execute(
            sa.text("INSERT INTO auth_users (id, email, name) VALUES ('u1', 'b@example.com', 'B')")
        )
        for i in range(2):
            cid = uuid.uuid4()
            await conn.execute(
                sa.text("INSERT INTO companies (id, name, issue_prefix) VALUES (:id, :n, :p)"),
                {"id": cid, "n": f"C{i}", "p": f"C{i}X"},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO company_memberships (company_id, principal_type, principal_id,"
                    " membership_role) VALUES (:c, 'user', 'u1', :r)"
                ),
                {"c": cid, "r": "owner" if i == 0 else "viewer"},
            )
        await conn.execute(
            sa.text(
                "INSERT INTO auth_sessions (token_hash, user_id, expires_at) VALUES"
                " (:h, 'u1', now() + interval '7 days')"
            ),
            {"h": hash_token(cookie)},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO board_api_keys (user_id, name, key_hash, last_used_at) VALUES"
                " ('u1', 'k', :h, now())"
            ),
            {"h": hash_token(key)},
        )

    from paperclip.auth import actor_cache

    async def run(label: str, settings, cold: bool = False, **kwargs) -> None:
        walls, cpu_start = [], time.process_time()
        for _ in range(n):
            if cold:
                actor_cache.clear()  # every resolution a cache miss: the SQL statement each time
            async with sessions() as session:
                session.info[READ_POOL_KEY] = pool
                t0 = time.perf_counter()
                actor = await resolve_actor(
                    session, settings, run_id_header=None, now=datetime.now(UTC), **kwargs
                )
                walls.append(time.perf_counter() - t0)
        cpu = (time.process_time() - cpu_start) / n
        assert actor.type == "board", actor
        print(
            f"{label:<18} p50 {statistics.median(walls) * 1000:6.3f} ms  mean {statistics.mean(walls) * 1000:6.3f} ms"
            f"  client CPU {cpu * 1000:6.3f} ms/resolution (incl. session open/close)"
        )

    actor_cache.QUIET_SECONDS = 0.0
    await run("local_trusted", local, authorization=None)
    await run("session (miss)", authed, cold=True, authorization=None, session_token=cookie)
    await run("board key (miss)", authed, cold=True, authorization=f"Bearer {key}")
    await run("session (cached)", authed, authorization=None, session_token=cookie)
    await run("board key (cached)", authed, authorization=f"Bearer {key}")
    stored = HASHER.hash("bench-password")
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        HASHER.verify(stored, "bench-password")
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"argon2id verify (t={HASHER.time_cost}, m={HASHER.memory_cost} KiB): p50 {statistics.median(times):.1f} ms,"
        f" min {min(times):.1f} ms"
    )
    await pool.close()
    await engine.dispose()
    shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    from paperclip.db.embedded import EmbeddedPostgres
    from paperclip.db.migrate import run_migrations

    root = Path(tempfile.mkdtemp(prefix="paperclip-authbench-"))
    os.chmod(root, 0o755)
    pg = EmbeddedPostgres(root / "db", _free_port())
    pg.start()
    try:
        run_migrations(pg.url)
        asyncio.run(measure(pg.url, args.n))
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""What every bench script needs before it measures: a free local port and a migrated database.

The database is DATABASE_URL when set, else a fresh embedded PostgreSQL in the bench's own temporary
home (the caller stops it). Benches talk to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_database(prefix: str) -> tuple[Path, Any, str]:
    """(home, the embedded PostgreSQL to stop or None, a plain postgresql:// URL of a migrated database)."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(home, 0o755)
    pg = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        from paperclip.db.embedded import EmbeddedPostgres

        pg = EmbeddedPostgres(home / "db", free_port())
        pg.start()
        admin = pg.admin_url()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        url = admin.rsplit("/", 1)[0] + "/bench"
    from paperclip.db.migrate import run_migrations

    run_migrations(url)
    return home, pg, url.replace("postgresql+psycopg://", "postgresql://")

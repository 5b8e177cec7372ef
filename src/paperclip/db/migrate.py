"""Schema migrations with Alembic: inspect, apply, and the start-up policy of reference §11.3.

Alembic is imported only when there is something to decide: a warm start on a current schema
recognises the head revision from the version files themselves (see `recorded_head_matches`),
which keeps Alembic's import off the start-up path.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from paperclip.db.engine import check_server_version, make_sync_engine
from paperclip.errors import StartupError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_REVISION_LINE = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*['"]([^'"]+)['"]\s*$""", re.M)
_DOWN_REVISION_LINE = re.compile(r"""^down_revision\s*(?::[^=\n]*)?=\s*(?:None|['"]([^'"]+)['"])\s*$""", re.M)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


@dataclass
class MigrationState:
    current: str | None
    head: str
    pending: list[str]
    empty_database: bool

    @property
    def up_to_date(self) -> bool:
        return not self.pending


@cache
def linear_head() -> str | None:
    """The head revision, read from the `revision = ...` / `down_revision = ...` lines of the
    version files; None unless the history is one plain chain (then only Alembic may decide)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = _REVISION_LINE.search(text)
        if revision is None:
            continue  # __init__.py
        down = _DOWN_REVISION_LINE.search(text)
        if down is None:  # a merge (tuple) or something unusual
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def recorded_head_matches(conn: sa.Connection) -> bool:
    """True when the database records exactly the head revision: the warm-start case."""
    head = linear_head()
    if head is None or conn.exec_driver_sql("SELECT to_regclass('public.alembic_version')").scalar() is None:
        return False
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return rows == [head]


def inspect(conn: sa.Connection) -> MigrationState:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    current = MigrationContext.configure(conn).get_current_revision()
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except Exception:  # alembic's ResolutionError/CommandError for an id it has no file for
            known = False
        if not known:
            # A rolling deploy's newer replica migrated the database; this older code must not touch it.
            raise StartupError(
                f"The database schema is at revision {current}, which this Paperclip version does not know "
                f"(its newest is {head}): a newer Paperclip has migrated it. Refusing to start; run the newer "
                "version (or restore a backup taken before the upgrade)."
            )
    pending = [rev.revision for rev in script.iterate_revisions(head, current)]
    pending.reverse()
    tables = conn.exec_driver_sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    ).scalar_one()
    return MigrationState(current=current, head=head, pending=pending, empty_database=tables == 0)


def upgrade(conn: sa.Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(conn), "head")


MIGRATION_LOCK_KEY = 727274


def run_migrations(
    url: str, *, prepared_statements: bool = False, label: str = "DATABASE_URL"
) -> tuple[MigrationState, MigrationState]:
    """Apply pending migrations on `url`; returns the state before and after.

    Everything runs in one transaction that first takes a transaction-scoped advisory lock: two
    replicas starting together migrate once (the second waits, then finds nothing to do), a failed
    migration leaves no half-applied schema, and nothing outlives the transaction, so it also works
    through a transaction-mode pooler (a session-level lock would stay behind on a pooled connection).
    """
    engine = make_sync_engine(url, prepared_statements=prepared_statements)
    try:
        with engine.connect() as conn:
            check_server_version(conn, label)
            before = inspect(conn)
            conn.commit()
            if before.pending:
                with conn.begin():
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
                    upgrade(
                        conn
                    )  # Alembic re-reads the version under the lock, so a late migrator is a no-op
            after = inspect(conn)
            conn.commit()
    except sa.exc.OperationalError as exc:
        raise StartupError(f"Cannot connect to the database ({label}): {_first_line(exc)}") from None
    finally:
        engine.dispose()
    return before, after


def _first_line(exc: sa.exc.DBAPIError) -> str:
    return (str(exc.orig).strip().splitlines() or ["unknown error"])[0]


def startup_migrations(
    url: str,
    *,
    prepared_statements: bool,
    fresh_cluster: bool,
    auto_apply: bool,
    prompt_never: bool,
    label: str,
    interactive: bool | None = None,
) -> str:
    """Decide and apply at start-up; returns the banner summary."""
    engine = make_sync_engine(url, prepared_statements=prepared_statements)
    try:
        with engine.connect() as conn:
            check_server_version(conn, label)
            if recorded_head_matches(conn):
                return "already applied"
            state = inspect(conn)
            conn.commit()
    except sa.exc.OperationalError as exc:
        raise StartupError(f"Cannot connect to the database ({label}): {_first_line(exc)}") from None
    finally:
        engine.dispose()
    if state.up_to_date:
        return "already applied"
    tty = sys.stdin.isatty() and sys.stdout.isatty() if interactive is None else interactive
    names = ", ".join(state.pending[:3]) + (
        f" (+{len(state.pending) - 3} more)" if len(state.pending) > 3 else ""
    )
    if fresh_cluster or state.empty_database or auto_apply:
        apply = True
    elif prompt_never:
        apply = False
    elif not tty:
        apply = True
    else:
        answer = input(f"Apply pending migrations ({names}) now? (y/N) ").strip().lower()
        apply = answer in ("y", "yes")
    if not apply:
        raise StartupError(
            f"{label} has pending migrations ({names}). Refusing to start against a stale schema. "
            "Run `paperclipai db migrate` or set PAPERCLIP_MIGRATION_AUTO_APPLY=true."
        )
    run_migrations(url, prepared_statements=prepared_statements, label=label)
    return "applied (empty database)" if state.empty_database else "applied (pending migrations)"

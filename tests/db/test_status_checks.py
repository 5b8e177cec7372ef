"""The status columns' CHECK constraints in a migrated database are the vocabulary's sets, and refuse a
status outside them (a typo in hand-written SQL fails loudly instead of storing a state no rule knows)."""

from __future__ import annotations

import re
import uuid

import psycopg
import pytest

from paperclip.db.models.status_checks import STATUS_CHECKS


def _constraints(database_url: str) -> dict[str, str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'"
        ).fetchall()
    return dict(rows)


def test_every_status_check_in_the_database_is_the_vocabulary_set(database_url):
    found = _constraints(database_url)
    for table, column, values, nullable in STATUS_CHECKS:
        name = f"ck_{table.name}_{column}"
        assert name in found, f"{name} missing: add a revision with scripts/new-migration"
        assert set(re.findall(r"'([a-z0-9_]+)'::text", found[name])) == values, (
            f"{name} is {found[name]}; the vocabulary says {sorted(values)}: add a revision that replaces it"
        )
        assert ("IS NULL" in found[name]) == nullable, found[name]


def test_a_status_outside_the_vocabulary_is_refused(database_url):
    with psycopg.connect(database_url) as conn:
        company = uuid.uuid4()
        conn.execute("INSERT INTO companies (id, name, issue_prefix) VALUES (%s, 'Co', 'CHK')", (company,))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO agents (id, company_id, name, adapter_type, status) "
                "VALUES (%s, %s, 'A', 'process', 'sleeping')",
                (uuid.uuid4(), company),
            )

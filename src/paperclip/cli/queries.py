"""Hand-written SQL of the command-line checks (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# Whose PostgreSQL answers on the embedded port: its data directory tells ours from another's.
DATA_DIRECTORY = Sql("SHOW data_directory")

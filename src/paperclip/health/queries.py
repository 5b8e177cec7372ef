"""Hand-written SQL of the health probe (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The database answers (on local_trusted there is no bootstrap state to read).
PING = Sql("SELECT 1")

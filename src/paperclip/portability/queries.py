"""Hand-written SQL of company import (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.activity.queries import ACTOR_IDS, ACTOR_VALUES, INSERT_ACTIVITY
from paperclip.db.rawsql import Sql

# The company's secret names starting with :n (its own `%` included): an imported secret takes the
# first free "<name> <n>".
SECRET_NAMES_LIKE = Sql("SELECT name FROM company_secrets WHERE company_id = :c AND name LIKE :n")

# Reserve :n issue numbers at once; the first one is issue_counter - n + 1.
TAKE_ISSUE_NUMBERS = Sql(
    "UPDATE companies SET issue_counter = issue_counter + :n WHERE id = :c RETURNING issue_counter, issue_prefix"
)

# One issue.created activity entry per imported issue among :ids, in number order (actor_params).
RECORD_IMPORTED_ISSUES = Sql(f"""{INSERT_ACTIVITY}
SELECT company_id, {ACTOR_VALUES}, 'issue.created', 'issue', CAST(id AS text), {ACTOR_IDS},
       jsonb_build_object('title', title, 'status', status, 'identifier', identifier, 'source', 'import'),
       clock_timestamp()
  FROM issues WHERE id = ANY(:ids) ORDER BY issue_number""")

"""The one definition of "this issue is held": an active `pause` tree hold rooted at the issue or at one
of its ancestors (so an issue created under a paused root is held too). Rendered into the statements
that must refuse held work — the checkout's single statement, the comment's, the issue wake-up's
admission — so each asks in the same round trip it already makes.

A company without an active pause hold pays one probe of a partial index; otherwise the walk goes
up the parent chain (bounded, so a corrupt parent cycle cannot loop)."""

from __future__ import annotations

from typing import Any

from paperclip.db.rawsql import Sql

MAX_DEPTH = 64


def held_by(source: str) -> str:
    """The body of a CTE over `source` (a CTE or table alias with id, parent_id, company_id and one
    row): the nearest active pause hold over it — hold_id, hold_root_issue_id, hold_reason,
    hold_release_policy, hold_is_root — or no row."""
    return f"""
    WITH RECURSIVE up AS (
        SELECT x.id, x.parent_id, 0 AS depth FROM {source} x
        WHERE EXISTS (SELECT 1 FROM issue_tree_holds h0
                      WHERE h0.company_id = x.company_id AND h0.status = 'active' AND h0.mode = 'pause')
        UNION ALL
        SELECT p.id, p.parent_id, up.depth + 1 FROM issues p JOIN up ON p.id = up.parent_id
        WHERE up.depth < {MAX_DEPTH}
    )
    SELECT h.id AS hold_id, h.root_issue_id AS hold_root_issue_id, h.reason AS hold_reason,
           h.release_policy AS hold_release_policy, up.depth = 0 AS hold_is_root
    FROM up JOIN issue_tree_holds h ON h.root_issue_id = up.id AND h.status = 'active' AND h.mode = 'pause'
    ORDER BY up.depth, h.created_at, h.id
    LIMIT 1
    """


ISSUE_PAUSE_HOLD = Sql(f"""
WITH i AS MATERIALIZED (SELECT id, parent_id, company_id FROM issues WHERE id = $1),
held AS MATERIALIZED ({held_by("i")})
SELECT * FROM held
""")


def hold_details(issue_id: Any, hold_id: Any, root_issue_id: Any) -> dict[str, Any]:
    """The details of a refusal because of a pause hold, as the original words them."""
    return {
        "issueId": str(issue_id),
        "holdId": str(hold_id),
        "rootIssueId": str(root_issue_id),
        "mode": "pause",
        "securityPrinciples": ["Complete Mediation", "Fail Securely", "Secure Defaults"],
    }

"""Issue, comment and label JSON in the original's field names and order (declared in wire.py)."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json
from starlette.responses import Response

from paperclip.issues.wire import COMMENT, ISSUE, LABEL


def json_response(content: Any, status_code: int = 200) -> Response:
    """Serialise once, in Rust (pydantic-core), instead of FastAPI's generic encoder: lists of 1000
    issues are the common case."""
    return Response(to_json(content), status_code=status_code, media_type="application/json")


# The renderers are made from the field tables of wire.py (which also make the SQL that renders the
# same objects in PostgreSQL): issue_to_wire(row, labels=None), label_to_wire(row), comment_to_wire(row).
issue_to_wire = ISSUE.python("row, labels=None", prologue="    labels = labels or []\n")
label_to_wire = LABEL.python()
comment_to_wire = COMMENT.python()

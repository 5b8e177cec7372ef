"""Pages for list routes. The original answers most of its lists whole and ignores `limit`; a list
that grows without bound (approvals, revisions, runs, comments…) must not be able to make one answer
unbounded. So every list route:

- accepts `limit` (1 to `LIST_MAX`) and `offset`, honoured in its SQL;
- without `limit`, answers at most `LIST_MAX` rows, which no list of a working company reaches
  (the issue list has had the same ceiling from the start);
- when more rows exist than it answered, says so in a `Link: <…>; rel="next"` header (RFC 8288)
  whose URL asks for the next page, so no client is cut off without a way to see it.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from starlette.responses import Response

from paperclip.db.paging import Window

LIST_MAX = 1000
_ORJSON = orjson.OPT_NON_STR_KEYS


class Page:
    """One request's page: `window` for the service (one row more than the page, to learn whether
    another page follows), `respond` for its answer."""

    __slots__ = ("limit", "offset", "_request")

    def __init__(self, limit: int, offset: int, request: Request):
        self.limit = limit
        self.offset = offset
        self._request = request

    @property
    def window(self) -> Window:
        return Window(self.limit + 1, self.offset)

    def respond(self, rows: list[Any]) -> Response:
        """The page as JSON (orjson, like every list route), with a `Link` to the next page when the
        window found one more row than the page holds."""
        more = len(rows) > self.limit
        body = orjson.dumps(rows[: self.limit] if more else rows, default=jsonable_encoder, option=_ORJSON)
        headers = None
        if more:
            params = self._request.query_params.multi_items()
            query = [(k, v) for k, v in params if k not in ("limit", "offset")]
            query += [("limit", str(self.limit)), ("offset", str(self.offset + self.limit))]
            headers = {"Link": f'<{self._request.url.path}?{urlencode(query)}>; rel="next"'}
        return Response(body, media_type="application/json", headers=headers)


async def _page(
    request: Request,
    limit: Annotated[
        int | None, Query(ge=1, le=LIST_MAX, description=f"rows to answer (default and most: {LIST_MAX})")
    ] = None,
    offset: Annotated[int, Query(ge=0, description="rows to skip")] = 0,
) -> Page:
    return Page(limit or LIST_MAX, offset, request)


PageDep = Annotated[Page, Depends(_page)]

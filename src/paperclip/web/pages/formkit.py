"""Small helpers the management pages share: reading typed form fields, money, pagination, answers.

Form fields arrive as text; these turn them into the values the services' pydantic bodies expect
and raise `BadRequest` naming the field (shown next to the control by app.js).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from paperclip.errors import BadRequest, Forbidden
from paperclip.web.context import CompanyPage
from paperclip.web.context import Page as PageContext
from paperclip.web.csrf import csrf_protect
from paperclip.web.forms import FormData
from paperclip.web.render import render


def read_only(page: PageContext) -> bool:
    """A viewer of the page's company (once memberships have roles): pages hide their mutating controls."""
    is_viewer = getattr(page.actor, "is_viewer_of", None)
    return bool(page.company is not None and is_viewer is not None and is_viewer(page.company.id))


async def require_writer(page: CompanyPage) -> None:
    """Every mutating page route: the actor may change this company (viewers may not)."""
    if read_only(page):
        raise Forbidden("Viewer access is read-only")
    page.actor.require_company(page.company.id)


# dependencies of every mutating page route: the CSRF check, then write access to the company
WRITE = [Depends(csrf_protect), Depends(require_writer)]


def strict_secrets(page: PageContext) -> bool:
    """Secrets strict mode: sensitive env names must be bound to company secrets."""
    return page.request.app.state.settings.secrets.strict_mode


async def render_page(page: PageContext, template: str, status: int = 200, **ctx: Any):
    """render() with `read_only` set for the page's company."""
    return await render(page.request, template, status=status, read_only=read_only(page), **ctx)


INT32_MAX = 2_147_483_647


def field_error(field: str, message: str) -> BadRequest:
    return BadRequest(message, [{"path": [field], "field": field, "code": "custom", "message": message}])


def cents(form: FormData, field: str, default: int = 0) -> int:
    """A dollar amount (`12.50`, `$1,000`) as integer cents."""
    raw = form.text(field).replace("$", "").replace(",", "")
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise field_error(field, "Enter an amount in dollars, e.g. 25 or 12.50") from None
    if not value.is_finite() or value < 0:
        raise field_error(field, "The amount must be zero or more")
    out = int((value * 100).to_integral_value())
    if out > INT32_MAX:
        raise field_error(field, "The amount is too large")
    return out


def integer(
    form: FormData, field: str, default: int | None = None, *, lo: int = 0, hi: int = INT32_MAX
) -> int | None:
    raw = form.text(field)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise field_error(field, "Enter a whole number") from None
    if value < lo or value > hi:
        raise field_error(field, f"Enter a number between {lo} and {hi}")
    return value


def optional_uuid(form: FormData, field: str) -> uuid.UUID | None:
    raw = form.text(field)
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise field_error(field, "Choose an entry from the list") from None


def checkbox(form: FormData, field: str) -> bool:
    return form.get(field) in ("on", "true", "1", "yes")


def body(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate a service body; a pydantic error becomes a 400 naming the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ())) or "form"
        raise field_error(loc, f"{loc}: {err.get('msg', 'invalid value')}") from None


@dataclass(frozen=True)
class Page:
    """Offset pagination: `?page=N` (1-based), `size` rows per page, one extra row fetched to know if more exist."""

    number: int
    size: int

    @classmethod
    def of(cls, request: Request, size: int = 50) -> Page:
        try:
            number = int(request.query_params.get("page", "1"))
        except ValueError:
            number = 1
        return cls(max(1, min(number, 100_000)), size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def fetch(self) -> int:
        return self.size + 1

    def window(self, rows: list[Any]) -> tuple[list[Any], bool]:
        """(the page's rows, whether a next page exists)."""
        return rows[: self.size], len(rows) > self.size

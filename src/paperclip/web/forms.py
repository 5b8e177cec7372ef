"""Reading a submitted form without python-multipart: url-encoded bodies only (no file uploads)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from paperclip.api.input_guard import text_problem
from paperclip.errors import BadRequest

MAX_FORM_BYTES = 1_000_000


class FormData(dict):
    """Field name -> last value; `getlist` gives every value of a repeated field."""

    def __init__(self, pairs: list[tuple[str, str]]):
        super().__init__(pairs)
        self._pairs = pairs

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self._pairs if k == name]

    def text(self, name: str, default: str = "") -> str:
        return (self.get(name) or default).strip()


async def form_data(request: Request) -> FormData:
    cached = getattr(request.state, "form", None)
    if cached is not None:
        return cached
    ctype = request.headers.get("content-type", "")
    pairs: list[tuple[str, str]] = []
    if ctype.startswith("application/x-www-form-urlencoded"):
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise BadRequest("Form too large")
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        # The API's input guard, for forms: invalid UTF-8 is already replaced above; a NUL (%00)
        # cannot be stored in PostgreSQL text and is refused here, naming the field.
        for name, value in pairs:
            if (problem := text_problem(name) or text_problem(value)) is not None:
                raise BadRequest(
                    f"Form field {name[:40]!r} {problem}"
                    if text_problem(name) is None
                    else f"A form field name {problem}"
                )
    elif ctype and not ctype.startswith("application/json"):
        raise BadRequest("Unsupported form encoding")
    form = FormData(pairs)
    request.state.form = form
    return form


def parse(model, data: dict):
    """A pydantic body from form fields; a validation error becomes a 400 naming the field."""
    from pydantic import ValidationError  # noqa: PLC0415

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ()))
        raise BadRequest(
            f"{field}: {err.get('msg', 'invalid')}" if field else err.get("msg", "invalid")
        ) from None


def cents(raw: str | None, name: str = "budget") -> int:
    """'12.50' (dollars, as people type them) -> 1250."""
    raw = (raw or "").strip().replace("$", "").replace(",", "")
    if not raw:
        return 0
    try:
        value = round(float(raw) * 100)
    except ValueError:
        raise BadRequest(f"{name}: enter an amount in dollars, like 25 or 12.50") from None
    if value < 0:
        raise BadRequest(f"{name}: must not be negative")
    return value

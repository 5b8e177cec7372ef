"""Bounded field types shared by the request schemas of companies, agents, goals and projects.

Strict types like the original's zod schemas: a number is not a string, a string is not a number.
Every string and every JSON blob has an upper bound, and integers fit the INTEGER columns.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

INT32_MAX = 2_147_483_647
MAX_JSON_BYTES = 256 * 1024


def _json_bounded(value: dict[str, Any]) -> dict[str, Any]:
    dumped = json.dumps(value, default=str)
    if len(dumped) > MAX_JSON_BYTES:
        raise ValueError(f"must serialise to at most {MAX_JSON_BYTES} bytes")
    if "\\u0000" in dumped:
        raise ValueError("must not contain NUL characters")
    return value


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it here instead of failing in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def bounded_text(min_length: int = 0, max_length: int = 200):
    return Annotated[StrictStr, Field(min_length=min_length, max_length=max_length), AfterValidator(_no_nul)]


Name = bounded_text(1, 200)
Title = bounded_text(1, 500)
ShortText = bounded_text(0, 200)
Description = bounded_text(0, 50_000)
Cents = Annotated[StrictInt, Field(ge=0, le=INT32_MAX)]
Color = bounded_text(0, 64)
Flag = StrictBool
JsonObject = Annotated[dict[str, Any], AfterValidator(_json_bounded)]


class Body(BaseModel):
    """Request bodies ignore unknown fields (as the original does) and know which fields were sent."""

    model_config = ConfigDict(extra="ignore")

    def sent(self, name: str) -> bool:
        return name in self.model_fields_set

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
    if len(json.dumps(value, default=str)) > MAX_JSON_BYTES:
        raise ValueError(f"must serialise to at most {MAX_JSON_BYTES} bytes")
    return value


Name = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Title = Annotated[StrictStr, Field(min_length=1, max_length=500)]
ShortText = Annotated[StrictStr, Field(max_length=200)]
Description = Annotated[StrictStr, Field(max_length=50_000)]
LongText = Annotated[StrictStr, Field(max_length=50_000)]
Cents = Annotated[StrictInt, Field(ge=0, le=INT32_MAX)]
Color = Annotated[StrictStr, Field(max_length=64)]
Flag = StrictBool
JsonObject = Annotated[dict[str, Any], AfterValidator(_json_bounded)]


class Body(BaseModel):
    """Request bodies ignore unknown fields (as the original does) and know which fields were sent."""

    model_config = ConfigDict(extra="ignore")

    def sent(self, name: str) -> bool:
        return name in self.model_fields_set

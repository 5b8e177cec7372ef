"""Routes answer dicts and lists through orjson with exactly the bytes FastAPI's encoder wrote."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from paperclip.api.router import serialised_by_orjson


class Color(enum.Enum):
    RED = "red"


class Model(BaseModel):
    name: str
    at: datetime


ID = uuid.UUID("2f1c3e9a-0000-4000-8000-000000000001")
VALUES = [
    {"id": ID, "n": 3, "f": 1.5, "none": None, "ok": True, "text": 'név ✓ "quoted"\n'},
    {
        "aware": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "whole": datetime(2026, 1, 2, tzinfo=UTC),
        "naive": datetime(2026, 1, 2, 3, 4, 5),
        "day": date(2026, 1, 2),
    },
    {"money": Decimal("12.50"), "count": Decimal("7"), "color": Color.RED, "tags": ("a", "b")},
    {"model": Model(name="x", at=datetime(2026, 1, 2, tzinfo=UTC)), ID: "uuid key", 5: "int key"},
    [{"nested": [[1, 2], {"deep": {"deeper": [None]}}]}, []],
    {"huge": 2**70},  # beyond orjson's 64 bits: FastAPI's path
]


@pytest.mark.parametrize("value", VALUES)
async def test_same_bytes_as_fastapis_encoder(value):
    async def endpoint():
        return value

    response = await serialised_by_orjson(endpoint, 201)()
    expected = JSONResponse(jsonable_encoder(value), status_code=201)
    assert response.status_code == 201
    assert response.body == expected.body
    assert response.headers["content-type"] == "application/json"


async def test_responses_pass_through_untouched():
    sentinel = JSONResponse({"a": 1}, status_code=409)

    async def endpoint():
        return sentinel

    assert await serialised_by_orjson(endpoint, None)() is sentinel

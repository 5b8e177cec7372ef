"""FeatureRouter: a feature's HTTP routes, declared at import and built once, when the app mounts
them (a foundation: it imports no feature, so every feature may use it).

FastAPI builds an APIRoute the moment a route is declared (the endpoint's signature analysed, a
pydantic adapter per parameter: about a millisecond each), and `paperclip.api.router.mount_api`
then builds the flat copy the application actually serves. With ~230 routes the first build was a
third of importing the server, thrown away at start-up. A FeatureRouter only records the
declaration; mount_api builds it once. Its `routes` hold only what is built at once (websockets).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from fastapi import APIRouter


class FeatureRouter(APIRouter):
    def __init__(self, *, tags: list[str | Enum] | None = None):
        # Only tags: mount_api applies a router's tags to its routes, and nothing else a plain
        # APIRouter could carry (prefix, dependencies, responses...) would reach them.
        super().__init__(tags=tags)
        self.declared: list[tuple[str, Callable[..., Any], dict[str, Any]]] = []

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        if options.get("route_class_override") is not None:
            raise TypeError(
                "a FeatureRouter's routes are built by mount_api (route_class_override unsupported)"
            )
        self.declared.append((path, endpoint, options))

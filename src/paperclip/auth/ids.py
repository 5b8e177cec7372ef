"""Identifiers taken from request paths: see paperclip.ids (kept here for the routes that import it)."""

from __future__ import annotations

from paperclip.ids import path_uuid

__all__ = ["path_uuid"]

"""Every feature's router, mounted under /api. Adding a feature is one line here."""

from __future__ import annotations

from fastapi import APIRouter

from paperclip.health.routes import router as health_router

api_router = APIRouter(prefix="/api")
api_router.include_router(health_router)

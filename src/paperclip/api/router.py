"""Every feature's router, mounted under /api. Adding a feature is one line here."""

from __future__ import annotations

from fastapi import APIRouter

from paperclip.activity.routes import router as activity_router
from paperclip.agents.routes import router as agents_router
from paperclip.approvals.routes import router as approvals_router
from paperclip.companies.routes import router as companies_router
from paperclip.costs.routes import router as costs_router
from paperclip.dashboard.routes import router as dashboard_router
from paperclip.goals.routes import router as goals_router
from paperclip.health.routes import router as health_router
from paperclip.heartbeat.routes import router as heartbeat_router
from paperclip.issues.routes import router as issues_router
from paperclip.projects.routes import router as projects_router

api_router = APIRouter(prefix="/api")
api_router.include_router(health_router)
api_router.include_router(heartbeat_router)  # first: the hot paths (wake-ups, run polling) match early
api_router.include_router(companies_router)
api_router.include_router(agents_router)
api_router.include_router(goals_router)
api_router.include_router(projects_router)
api_router.include_router(activity_router)
api_router.include_router(costs_router)
api_router.include_router(issues_router)
api_router.include_router(approvals_router)
api_router.include_router(dashboard_router)

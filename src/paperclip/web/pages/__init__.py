"""Every area's page router, one line per area, in matching order (`home` last: its catch-all
redirects). A listed module that does not exist yet is skipped (find_spec), so each engineer adds
their module file without editing this list; an error inside an existing module still raises."""

from importlib import import_module
from importlib.util import find_spec

AREAS = [
    "auth",  # /auth
    "access",  # /board-claim/<token>, /invite/<token>
    "onboarding",  # /onboarding
    "companies",  # /companies, /<P>/companies, switching
    "dashboard",  # /<P>/dashboard
    "inbox",  # /<P>/inbox
    "issues",  # /<P>/issues, /<P>/issues/<ref>
    "attachments",  # /<P>/issues/<ref>/attachments (upload, delete)
    "board",  # /<P>/board (kanban)
    "events",  # /<P>/events (SSE)
    "agents",  # /<P>/agents/...              (UI-B)
    "org",  # /<P>/org                     (UI-B)
    "projects",  # /<P>/projects/...            (UI-B)
    "goals",  # /<P>/goals/...               (UI-B)
    "approvals",  # /<P>/approvals/...           (UI-B)
    "costs",  # /<P>/costs                   (UI-B)
    "activity",  # /<P>/activity                (UI-B)
    "settings",  # /<P>/company/settings, /instance/settings/...  (UI-B)
    "home",  # /, unprefixed redirects: keep last
]

PAGE_ROUTERS = [
    import_module(f"{__name__}.{area}").router
    for area in AREAS
    if find_spec(f"{__name__}.{area}") is not None
]

"""The `paperclipai` console script: client commands go straight to the light HTTP client (agents call
them many times per heartbeat, so start-up matters); everything else loads the full typer CLI."""

from __future__ import annotations

import sys

# The client command groups (paperclip.cli.client.catalog.GROUPS; a test keeps the two equal).
CLIENT_GROUPS = frozenset(
    {
        "health",
        "whoami",
        "context",
        "company",
        "issue",
        "agent",
        "project",
        "goal",
        "approval",
        "activity",
        "dashboard",
        "cost",
        "finance",
        "budget",
        "org",
        "token",
        "agent-config",
        "routine",
        "environment",
        "feedback",
    }
)


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] in CLIENT_GROUPS:
        from paperclip.cli.client.main import main as client_main

        sys.exit(client_main(argv))
    from paperclip.cli.main import main as full_main

    full_main()

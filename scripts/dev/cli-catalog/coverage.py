"""How many client catalog commands call a route this server has (the README's coverage figure).

    .venv/bin/python scripts/dev/cli-catalog/coverage.py [-v]    # -v: list the commands still missing

A command counts when its method and path match a mounted API route; commands that need no request
(`context ...`) are not counted. Matching a route is necessary, not sufficient: each group's tests
check the commands work end to end.
"""

from __future__ import annotations

import re
import sys

from fastapi import FastAPI
from fastapi.routing import APIRoute

from paperclip.api.router import mount_api
from paperclip.cli.client.catalog import GROUPS


def main() -> None:
    app = FastAPI()
    mount_api(app)
    routes = [
        (r.methods, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", r.path) + "$"))
        for r in app.routes
        if isinstance(r, APIRoute)
    ]
    have, missing = 0, []
    for group, (_about, commands) in GROUPS.items():
        for cmd in commands:
            if not cmd.method:
                continue
            shape = re.sub(r"\{\w+\}", "X", cmd.path)
            if any(cmd.method in methods and rx.match(shape) for methods, rx in routes):
                have += 1
            else:
                missing.append(f"{group} {cmd.name}: {cmd.method} {cmd.path}")
    print(f"{have} of {have + len(missing)} catalog commands call a route this server has")
    if "-v" in sys.argv:
        print("\n".join(missing))


if __name__ == "__main__":
    main()

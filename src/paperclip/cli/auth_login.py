"""`paperclipai auth login | whoami | logout`: the CLI acting as a person in authenticated mode.

`login` asks the server for a CLI login challenge, prints the approval URL (open it in a browser
where you are signed in), waits for the approval and stores the board API key it was promised in
`<PAPERCLIP_HOME>/auth.json` (mode 0600), keyed by API base. Other commands use it when no
`--api-key` / PAPERCLIP_API_KEY is given.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from paperclip.cli import auth_store
from paperclip.cli.common import console, fail
from paperclip.paths import resolve_home

ApiBase = Annotated[
    str | None,
    typer.Option("--api-base", help="Server base URL (default: $PAPERCLIP_API_URL or http://127.0.0.1:3100)"),
]
POLL_SECONDS = 1.0
WAIT_SECONDS = 600


def _base(api_base: str | None) -> str:
    return (api_base or os.environ.get("PAPERCLIP_API_URL") or "http://127.0.0.1:3100").rstrip("/")


def _load(home: Path | None = None) -> dict:
    return auth_store.load(home or resolve_home(os.environ))


def _save(data: dict) -> None:
    auth_store.save(resolve_home(os.environ), data)


def stored_token(api_base: str, home: Path | None = None) -> str | None:
    """The board API key `auth login` stored for this API base, if any."""
    return auth_store.stored_token(api_base, home or resolve_home(os.environ))


def login_command(
    api_base: ApiBase = None,
    wait: Annotated[int, typer.Option("--wait", help="Seconds to wait for the approval")] = WAIT_SECONDS,
) -> None:
    """Log the CLI in as you: approve the printed URL in a browser where you are signed in."""
    import httpx  # here, not at the top: `paperclipai run` imports this module and never needs it

    base = _base(api_base)
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            r = http.post(
                "/api/cli-auth/challenges",
                json={"command": "paperclipai auth login", "clientName": "paperclipai"},
            )
            if r.status_code != 201:
                fail(f"The server refused a CLI login ({r.status_code}): {r.text[:200]}")
            challenge = r.json()
            console.print(
                f"Open this URL in a browser where you are signed in, and approve:\n{challenge['approvalUrl']}",
                highlight=False,
                soft_wrap=True,
            )
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                status = http.get(
                    f"/api/cli-auth/challenges/{challenge['id']}", params={"token": challenge["token"]}
                )
                state = status.json().get("status") if status.status_code == 200 else None
                if state == "approved":
                    data = _load()
                    data[base] = {
                        "token": challenge["boardApiToken"],
                        "userId": status.json()["approvedByUser"]["id"],
                    }
                    _save(data)
                    console.print(
                        f"Logged in as {status.json()['approvedByUser'].get('email') or 'you'} on {base}."
                    )
                    return
                if state in ("cancelled", "expired"):
                    fail(f"The CLI login was {state}.")
                time.sleep(POLL_SECONDS)
            http.post(
                f"/api/cli-auth/challenges/{challenge['id']}/cancel", json={"token": challenge["token"]}
            )
            fail("No approval arrived in time; the CLI login was cancelled.")
    except httpx.HTTPError as exc:
        fail(f"Cannot reach the Paperclip API at {base}: {exc}")


def whoami_command(api_base: ApiBase = None) -> None:
    """Who the stored CLI login is."""
    import httpx

    base = _base(api_base)
    token = stored_token(base)
    if not token:
        fail(f"Not logged in to {base}: run `paperclipai auth login`.")
    r = httpx.get(f"{base}/api/cli-auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    if r.status_code != 200:
        fail(f"The stored login is no longer valid ({r.status_code}): run `paperclipai auth login`.")
    me = r.json()
    console.print(
        f"{me['user'].get('email') or me['userId']} on {base}"
        f"{' (instance admin)' if me.get('isInstanceAdmin') else ''}",
        highlight=False,
    )


def logout_command(api_base: ApiBase = None) -> None:
    """Revoke the stored CLI login's key and forget it."""
    import httpx

    base = _base(api_base)
    token = stored_token(base)
    if token:
        try:
            httpx.post(
                f"{base}/api/cli-auth/revoke-current",
                headers={"Authorization": f"Bearer {token}"},
                json={},
                timeout=30,
            )
        except httpx.HTTPError:
            pass  # forget it locally all the same
        data = _load()
        data.pop(base, None)
        _save(data)
    console.print(f"Logged out of {base}.")

"""The actor foundation's tests (paperclip.auth: actor, resolution, sessions, tokens, run JWTs,
memberships) call an authenticated server as its users do: the live server of tests/access (`live`:
sign-up, members, instance admins), shared from there."""

from __future__ import annotations

from tests.access.conftest import live, live_factory  # noqa: F401 - fixtures of this folder too

"""Server processes move their start-up heap out of the garbage collector's way (gc.freeze)."""

from __future__ import annotations

import gc

from paperclip.server.runtime import build_app, server_app


async def test_a_server_process_freezes_what_start_up_built_and_a_test_app_does_not(settings, database_url):
    gc.unfreeze()
    try:
        plain = build_app(settings, database_url, 3100, role="api")
        async with plain.router.lifespan_context(plain):
            assert gc.get_freeze_count() == 0
        served = server_app(settings, database_url, 3100, role="http")
        async with served.router.lifespan_context(served):
            # everything alive after start-up: modules, the app, its routes and pools
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()

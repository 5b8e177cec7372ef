"""`paperclipai run`: checks, database, migrations, port, banner, then serve until SIGTERM/SIGINT.

Shutdown order: stop accepting, let in-flight requests finish (8 s at most), stop the scheduler and
backups (lifespan), then stop the embedded database — all inside the 10 s a supervisor allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from paperclip.config import Settings
from paperclip.logging import configure_logging
from paperclip.server.banner import StartupFacts, jwt_status, print_banner
from paperclip.server.checks import check_deployment
from paperclip.server.database import start_database
from paperclip.server.ports import bind_listen_socket
from paperclip.server.trace import mark

if TYPE_CHECKING:
    from fastapi import FastAPI

# The application (FastAPI, uvicorn, every feature) is imported by `prepare_app`, not here: `serve`
# does it while the embedded PostgreSQL starts, instead of before.

log = logging.getLogger("paperclip.server")
GRACEFUL_SECONDS = 8
KEEP_ALIVE_SECONDS = 65


def scheduler_ticks() -> list:
    """Other features' scheduler ticks, run by heartbeat/tick.py (so heartbeat does not import them)."""
    from paperclip.issues.recovery import settle_actions
    from paperclip.routines.scheduler import tick_routines

    return [("routines", tick_routines), ("recoveryActionsSettled", settle_actions)]


def serve(settings: Settings, *, interactive: bool | None = None) -> int:
    configure_logging(
        log_dir=settings.log_dir,
        fmt=settings.log_format,
        console_level=settings.log_level,
        private_dir=settings.log_dir == settings.paths.logs_dir,
    )
    check_deployment(settings)
    with metrics_directory(settings):  # before the app is built: the metrics need it (paperclip.metrics)
        return _serve_started(settings, interactive)


def _serve_started(settings: Settings, interactive: bool | None) -> int:
    prepared: list[FastAPI] = []
    # Until uvicorn takes over the signals, SIGTERM unwinds like Ctrl-C so the embedded database
    # (maybe half started) is still stopped by the `finally` blocks below.
    previous = (
        signal.signal(signal.SIGTERM, _interrupt)
        if threading.current_thread() is threading.main_thread()
        else None
    )
    try:
        # The embedded PostgreSQL starts in processes of its own: this one imports and builds the
        # application meanwhile instead of waiting for it.
        database = start_database(
            settings, interactive=interactive, meanwhile=lambda: prepared.append(prepare_app(settings))
        )
        mark("database ready")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    sock = None
    try:
        sock, port = bind_listen_socket(settings.host, settings.port, may_move=settings.is_local_trusted)
        if port != settings.port:
            log.warning(
                "Requested port is busy; using next free port (requestedPort=%s, selectedPort=%s)",
                settings.port,
                port,
            )
        print_banner(
            settings,
            StartupFacts(
                port=port,
                requested_port=settings.port,
                database_url=database.url,
                embedded=database.embedded is not None,
                migrations=database.migrations,
                jwt_status=jwt_status(settings),
            ),
        )
        mark("listening")
        return serve_on_socket(settings, database.url, port, sock, app=prepared[0])
    finally:
        if sock is not None:
            sock.close()
        database.stop()
        log.info("Paperclip server stopped")


@contextlib.contextmanager
def metrics_directory(settings: Settings) -> Iterator[None]:
    """Every process of this server writes its metric samples to one directory; a scrape merges them."""
    if not settings.metrics_enabled or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    import shutil
    import tempfile

    from paperclip import metrics

    directory = tempfile.mkdtemp(prefix="paperclip-metrics-")
    metrics.prepare_multiprocess_dir(directory)
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(directory, ignore_errors=True)


def serve_on_socket(
    settings: Settings, database_url: str, port: int, sock: socket.socket, *, app: FastAPI | None = None
) -> int:
    """Serve until SIGTERM/SIGINT with the process layout the settings ask for; the exit code.
    `app`: one made by `prepare_app` (built here otherwise)."""
    with metrics_directory(settings):
        if app is None:
            app = prepare_app(settings)
        configure_app(app, settings, database_url, port)
        return _serve_processes(settings, database_url, port, sock, app)


def prepare_app(settings: Settings) -> FastAPI:
    """The application, built once before the server forks: its workers share it (and the memory it
    takes) instead of each building its own; the ORM's mappers are configured here too, not by each
    process's first query. What differs per process (role, replica id) is set after the fork."""
    import uvicorn  # noqa: F401 - what every worker runs, imported once
    from sqlalchemy.orm import configure_mappers

    from paperclip.api.app import create_app
    from paperclip.server.lifecycle import on_shutdown, on_startup

    mark("app imported")
    app = create_app(settings, "", on_startup=on_startup, on_shutdown=on_shutdown)
    configure_mappers()
    mark("app built")
    return app


def configure_app(
    app: FastAPI, settings: Settings, database_url: str, port: int, *, role: str = "all"
) -> None:
    from paperclip.auth.origins import trusted_origins

    app.state.database_url = database_url
    app.state.role = role
    app.state.listen_port = port
    app.state.trusted_origins = trusted_origins(settings, port)
    app.state.api_url = api_url(settings, port)
    app.state.replica_id = new_replica_id()
    app.state.scheduler_ticks = scheduler_ticks()  # features ticked by heartbeat/tick.py


def _serve_processes(
    settings: Settings, database_url: str, port: int, sock: socket.socket, app: FastAPI
) -> int:
    from paperclip.server.workers import run_workers

    if not settings.is_local_trusted:
        from paperclip.access.board_claim import ensure_challenge
        from paperclip.clock import utcnow

        ensure_challenge(utcnow())  # before forking: every worker must know the same board claim challenge

    def serve_app(listen: socket.socket, role: str) -> None:
        app.state.role = role
        app.state.replica_id = new_replica_id()  # this process's
        app.state.freeze_heap = True  # see lifecycle.on_startup
        _run_loop(_serve(app, listen))

    # What the parent built lives as long as the workers: out of the collector's sight before the
    # fork, so collections in the workers do not write to (and so copy) the pages they share.
    gc.freeze()
    if settings.heartbeat_process == "separate":

        def serve_one(listen: socket.socket, index: int) -> None:
            # Process 0 runs heartbeats, the scheduler and backups; the others only serve HTTP,
            # so agent runs never hold up an API request's event loop.
            if index == 0:
                listen.close()  # this process never accepts
                _run_loop(_serve_background(settings, database_url, port))
            else:
                serve_app(listen, "http")

        return run_workers(settings.workers + 1, sock, serve_one)
    if settings.workers > 1:  # inline: every worker is a full replica (runs heartbeats too)
        return run_workers(settings.workers, sock, lambda listen, _index: serve_app(listen, "all"))
    serve_app(sock, "all")
    return 0


def server_app(settings: Settings, database_url: str, port: int, *, role: str = "all") -> FastAPI:
    """The app of a server process: its start-up heap is frozen once started (see on_startup)."""
    app = build_app(settings, database_url, port, role=role)
    app.state.freeze_heap = True
    return app


def build_app(settings: Settings, database_url: str, port: int, *, role: str = "all") -> FastAPI:
    """A complete app for one process (tests, benches): built and configured in one go. `role`
    (paperclip.db.database ROLES) decides what its start-up runs: "all" the heartbeat runtime too,
    "api" the start-up steps but no heartbeats (the API tests' app), "http" neither."""
    app = prepare_app(settings)
    configure_app(app, settings, database_url, port, role=role)
    return app


def api_url(settings: Settings, port: int) -> str:
    """The URL agent processes reach this server's API at."""
    host = "localhost" if settings.host in ("0.0.0.0", "::", "127.0.0.1") else settings.host
    return settings.env.get("PAPERCLIP_API_URL") or f"http://{host}:{port}"


def new_replica_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _run_loop(coro) -> None:
    """uvloop when installed (it is, with uvicorn[standard]): less overhead per request."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


async def _serve_background(settings: Settings, database_url: str, port: int) -> None:
    """The background process (heartbeats, scheduler, backups): no web application, no socket.

    A start-up that fails (the database restarting, say) is retried with a growing pause instead of
    taking the HTTP workers down with it; they keep answering, /api/health tells the state.
    """
    from paperclip.server.lifecycle import background_process

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    pause = 1.0
    while not stop.is_set():
        try:
            async with background_process(
                settings,
                database_url,
                replica_id=new_replica_id(),
                listen_port=port,
                api_url=api_url(settings, port),
                ticks=scheduler_ticks(),
            ):
                pause = 1.0
                await stop.wait()
            return
        except Exception:
            log.exception("Heartbeats, scheduler and backups could not start; retrying in %.0f s", pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(pause * 2, 30.0)


async def _serve(app: FastAPI, sock: socket.socket) -> None:
    # Keep-alive longer than the usual proxy/load-balancer idle timeout (60 s): a server closing an
    # idle connection first races a client reusing it, which surfaces as a reset request.
    # X-Forwarded-For/-Proto are believed only from PAPERCLIP_TRUSTED_PROXIES (none by default, not
    # even loopback: in local_trusted mode every caller is on loopback, a DNS-rebound page included).
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGTERM/SIGINT once its graceful shutdown is done, so that the default
        handler kills the process; that would skip stopping the embedded database. Here the signal
        ends with the shutdown, `serve` returns and the process exits 0."""

        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    proxies = list(app.state.settings.trusted_proxies)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        lifespan="on",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
    )
    server = Server(config)
    await server.serve(sockets=[sock])

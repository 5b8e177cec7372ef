"""The runner inside each server process: claims queued runs, executes them through their adapter,
streams output to the log store and finalises them. Several runners (replicas) share one database;
claims use row locks with SKIP LOCKED, so a run is executed exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from paperclip import metrics
from paperclip.adapters.base import AdapterContext, AdapterResult, AgentInfo, SessionState
from paperclip.adapters.registry import get_adapter
from paperclip.adapters.spawn import kill_group, spawned_start_ticks
from paperclip.auth.run_jwt import mint_run_jwt
from paperclip.clock import utcnow
from paperclip.config import Settings
from paperclip.db.database import RUNNER_POOL
from paperclip.db.engine import make_async_engine, session_factory, unit_of_work
from paperclip.errors import ConfigError
from paperclip.heartbeat import queries
from paperclip.heartbeat.capture import CappedRunLog
from paperclip.heartbeat.context import HEARTBEAT_TASK_KEY
from paperclip.heartbeat.costs import cost_cents
from paperclip.heartbeat.env import (
    Masker,
    base_env,
    build_env,
    runtime_env,
)
from paperclip.heartbeat.finalize import RunOutcome, excerpt, finalize_run
from paperclip.heartbeat.journal import RunJournal
from paperclip.heartbeat.listener import Listener
from paperclip.heartbeat.logstore import LocalFileRunLogStore, LogHandle, RunLogStore
from paperclip.heartbeat.runs import (
    ClaimedRun,
    add_event,
    claim_for_locked_agents,
    claim_runs,
)
from paperclip.heartbeat.sessions import load_session
from paperclip.heartbeat.wakeups import CANCEL_CHANNEL, WAKE_CHANNEL
from paperclip.logging import REQUEST_ID
from paperclip.redaction import redact
from paperclip.runs import lifecycle
from paperclip.secrets.run_env import EnvBindingError
from paperclip.secrets.runtime import run_config_env

log = logging.getLogger("paperclip.heartbeat")
EXCERPT_BYTES = 8 * 1024
WATCH_SECONDS = 1.0
CONTENDED_RETRY_SECONDS = 0.02
SHUTDOWN_GRACE_SECONDS = 2.0
CLAIM_AGENTS = 200  # agents locked per claim transaction
PUMP_MIN_INTERVAL = 0.01  # seconds between two claims of one runner
START_SLICE = 8  # runs started per event-loop turn: requests are served between slices


class ActiveRun:
    def __init__(self, claimed: ClaimedRun):
        self.claimed = claimed
        self.cancel = asyncio.Event()
        self.pid: int | None = None
        self.seq = 1  # "run started" was written by the claim
        self.task: asyncio.Task | None = None

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


class Runner:
    def __init__(
        self,
        settings: Settings,
        database_url: str,
        *,
        runner_id: str,
        api_url: str,
        log_store: RunLogStore | None = None,
        pool_size: int = RUNNER_POOL,
        sessions: async_sessionmaker | None = None,
    ):
        self.settings = settings
        self.database_url = database_url
        self.runner_id = runner_id
        self.hostname = socket.gethostname()
        self.api_url = api_url
        self.log_store = log_store or LocalFileRunLogStore(settings.paths.run_logs_dir)
        self.pool_size = pool_size
        self.active: dict[uuid.UUID, ActiveRun] = {}
        self.engine: AsyncEngine | None = None  # its own engine, when not given the process's runner pool
        self.sessions: async_sessionmaker | None = sessions
        self.journal: RunJournal | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._stop_requested = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.listener: Listener | None = None
        self.listen_url, self.polling = listen_target(settings, database_url)
        self.started_runs = 0
        self._base_env = base_env(settings.env)  # the server's environment, filtered once

    # ------------------------------------------------------------------ lifecycle

    async def start(self, *, listen: bool = True) -> None:
        # A pool of its own, sized for bursts (every run in flight may write at once): connections are
        # kept, not opened and closed per run, and API requests never queue behind the runner. The
        # process's Database builds it (run_sessions); a runner made without one builds it the same way.
        if self.sessions is None:
            self.engine = make_async_engine(
                self.database_url,
                prepared_statements=self.settings.database.prepared_statements,
                pool_max=self.pool_size,
                overflow=self.pool_size,
            )
            self.sessions = session_factory(self.engine)
        self.journal = RunJournal(self.sessions, claim_next=self._claim_next, on_claimed=self._start_claimed)
        if self.polling:
            log.warning(
                "DATABASE_URL goes through a transaction-mode pooler, where LISTEN/NOTIFY cannot work: "
                "queued runs are looked for every %.0f s instead of starting within milliseconds. Set "
                "PAPERCLIP_MIGRATION_DATABASE_URL to the direct connection (e.g. port 5432) to listen there.",
                WATCH_SECONDS,
            )
        if listen:
            self.listener = Listener(
                self.listen_url,
                self.runner_id,
                {WAKE_CHANNEL: lambda _p: self.poke(), CANCEL_CHANNEL: self._on_cancel_note},
                on_connect=self.poke,
            )
            self.listener.start()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.listener.connected.wait(), timeout=5)
        self._tasks = [
            asyncio.create_task(self._pump_loop(), name="heartbeat-runner"),
            asyncio.create_task(self._watch_loop(), name="heartbeat-watch"),
        ]

    async def stop(self) -> None:
        """Stop claiming; stop the agent processes still running; record those runs as failed."""
        self._stopping = True
        self._stop_requested.set()
        self._wake.set()
        # Let the loops finish the statement they are in: a task cancelled while its connection is
        # mid-handshake leaves the server waiting for it until authentication_timeout (60 s).
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=5)
            for task in pending:
                task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.listener is not None:
            await self.listener.stop()
        for active in list(self.active.values()):
            active.cancel.set()  # SIGTERM to each process group
        pending = [a.task for a in self.active.values() if a.task is not None]
        if pending:
            await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_SECONDS)
        for active in list(self.active.values()):
            if active.pid:
                kill_group(active.pid, signal.SIGKILL)
        pending = [a.task for a in self.active.values() if a.task is not None]
        if pending:
            await asyncio.wait(pending, timeout=3)
        for active in list(self.active.values()):
            if active.task is not None and not active.task.done():
                active.task.cancel()
        if self.journal is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.journal.idle(), timeout=5)
        if self.engine is not None:
            await self.engine.dispose()

    def poke(self) -> None:
        self._wake.set()

    def _on_cancel_note(self, payload: str) -> None:
        try:
            ids = [uuid.UUID(v) for v in json.loads(payload or "[]")]
        except (ValueError, TypeError):
            return
        self.cancel_local(ids)

    def cancel_local(self, run_ids: list[uuid.UUID]) -> None:
        for run_id in run_ids:
            active = self.active.get(run_id)
            if active is not None:
                active.cancel.set()

    # ------------------------------------------------------------------ claiming

    async def _pump_loop(self) -> None:
        last = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping:
            await self._wake.wait()
            # A burst of wake-ups (one NOTIFY each) or of ended runs becomes a few claims, not one
            # claim per poke; a lone wake-up is claimed at once.
            wait = last + PUMP_MIN_INTERVAL - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            last = loop.time()
            self._wake.clear()
            try:
                contended = await self.pump_once()
            except Exception:
                log.exception("heartbeat runner claim failed")
                contended = True
                await asyncio.sleep(0.5)
            if contended:
                await asyncio.sleep(CONTENDED_RETRY_SECONDS)
                self._wake.set()

    async def pump_once(self) -> bool:
        """Claim and start whatever may start now; True when another claimer held some agents.

        One claim takes every free slot of every agent it could lock, so another pass only pays when
        it stopped at its agent limit; runs that become claimable later (a run ended, a wake-up
        arrived) poke the runner again. Runs start a slice at a time, so a burst never holds the
        event loop: API requests are served between slices."""
        contended = False
        while not self._stopping:
            now = utcnow()
            async with unit_of_work(self.sessions) as session:
                batch = await claim_runs(session, runner_id=self.runner_id, now=now, limit=CLAIM_AGENTS)
                for claimed in batch.runs:
                    self.active[claimed.id] = ActiveRun(claimed)
            contended = contended or batch.contended
            for index, claimed in enumerate(batch.runs):
                self._start(self.active[claimed.id])
                if index % START_SLICE == START_SLICE - 1:
                    await asyncio.sleep(0)
            if not batch.more or not batch.runs:
                return contended
        return contended

    def _start(self, active: ActiveRun) -> None:
        active.task = asyncio.create_task(self._execute(active), name=f"run-{active.claimed.id}")
        self.started_runs += 1

    async def _claim_next(self, session, agent_ids: list[uuid.UUID], now: datetime) -> list[ClaimedRun]:
        """For the journal: the next runs of agents whose runs it is ending (nothing once stopping)."""
        if self._stopping:
            return []
        return await claim_for_locked_agents(session, agent_ids, runner_id=self.runner_id, now=now)

    def _start_claimed(self, runs: list[ClaimedRun]) -> None:
        for claimed in runs:
            active = self.active[claimed.id] = ActiveRun(claimed)
            self._start(active)

    async def _watch_loop(self) -> None:
        """Fallback for a lost NOTIFY: runs of ours no longer `running` in the database are stopped
        (and, when NOTIFY cannot reach us at all, queued runs are looked for)."""
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_requested.wait(), timeout=WATCH_SECONDS)
            if self._stopping:
                return
            if self.polling:
                self.poke()
            ids = [rid for rid, a in self.active.items() if not a.cancel.is_set() and a.pid is not None]
            if not ids:
                continue
            try:
                async with self.sessions() as session:
                    stopped = [r["id"] for r in await queries.RUNS_STOPPED.fetch(session, ids=ids)]
                self.cancel_local(stopped)
            except Exception:
                log.exception("heartbeat runner watch failed")

    # ------------------------------------------------------------------ executing one run

    async def _execute(self, active: ActiveRun) -> None:
        run = active.claimed
        # Log lines written while this run executes carry the id of the request that asked for it
        # (this task's own context: other runs and requests are unaffected).
        REQUEST_ID.set(
            run.context.get("requestId") if isinstance(run.context.get("requestId"), str) else None
        )
        log.debug("heartbeat run %s started for agent %s", run.id, run.agent_id)
        started = metrics.run_started(run.adapter_type)
        shut_down = RunOutcome(
            status="failed", error="Server shut down during the run", error_code="control_plane_restart"
        )
        if self._stopping and await self._hand_back(run):
            # claimed by a journal batch that committed as the server began to stop: never spawned,
            # so queued again for another replica (or the next start) instead of failed
            metrics.run_finished("handed_back", started)
            self.active.pop(run.id, None)
            return
        if self._stopping:
            outcome = shut_down
        else:
            try:
                outcome = await self._run_adapter(active)
            except asyncio.CancelledError:
                outcome = shut_down
            except Exception as exc:  # a bug in an adapter must not leave the run running
                log.exception("heartbeat run %s crashed", run.id)
                outcome = RunOutcome(
                    status="failed", error=f"Adapter crashed: {exc}", error_code="adapter_failed"
                )
        next_claimed = False  # the journal claimed the agent's next runs while ending this one
        try:
            try:
                await self.journal.finalize(run, outcome, run.adapter_type)
                next_claimed = not self._stopping
            except Exception:
                log.exception("finalising run %s failed; retrying", run.id)
                for attempt in range(3):
                    await asyncio.sleep(0.2 * (attempt + 1))
                    try:
                        async with unit_of_work(self.sessions) as session:
                            await finalize_run(
                                session, run, outcome, adapter_type=run.adapter_type, now=utcnow()
                            )
                        break
                    except Exception:
                        if attempt == 2:
                            raise
                        log.exception("finalising run %s failed; retrying", run.id)
        except Exception:
            log.exception("heartbeat run %s could not be finalised; the reaper will", run.id)
        finally:
            metrics.run_finished(outcome.status, started)
            self.active.pop(run.id, None)
            if not self._stopping and not next_claimed:
                self.poke()

    async def _hand_back(self, run) -> bool:
        if self.sessions is None:
            return False
        try:
            async with unit_of_work(self.sessions) as session:
                return bool(await lifecycle.hand_back(session, [run], runner_id=self.runner_id, now=utcnow()))
        except Exception:
            log.exception("handing back run %s failed; it ends as a restart instead", run.id)
            return False

    async def _run_adapter(self, active: ActiveRun) -> RunOutcome:
        run = active.claimed
        adapter = get_adapter(run.adapter_type)
        if adapter is None:
            return RunOutcome(
                status="failed",
                error=f"Adapter not installed: {run.adapter_type}",
                error_code="adapter_not_installed",
            )
        now = utcnow()
        try:
            token = mint_run_jwt(
                self.settings,
                agent_id=run.agent_id,
                company_id=run.company_id,
                run_id=run.id,
                adapter_type=run.adapter_type,
                now=now,
            )
        except ConfigError as exc:
            return RunOutcome(
                status="failed", error=f"Run not started: {exc.message}", error_code="auth_unavailable"
            )
        try:
            # the agent's env, then its project's (project keys win), secrets resolved server-side
            config_env, secrets = await run_config_env(
                self.sessions, self.settings, run.company_id, run.adapter_config.get("env"), run.context
            )
        except EnvBindingError as exc:
            return RunOutcome(status="failed", error=str(exc), error_code="invalid_config")
        masker = Masker([token, *secrets])
        env = build_env(
            self._base_env,
            config_env,
            runtime_env(
                agent_id=run.agent_id,
                company_id=run.company_id,
                run_id=run.id,
                api_url=self.api_url,
                api_key=token,
                context=run.context,
            ),
            filtered=True,
        )
        state = SessionState(task_key=str(run.context.get("taskKey") or HEARTBEAT_TASK_KEY))
        if getattr(adapter, "supports_sessions", False):
            async with self.sessions() as session:
                state = await load_session(
                    session,
                    company_id=run.company_id,
                    agent_id=run.agent_id,
                    adapter_type=run.adapter_type,
                    context=run.context,
                    runtime_config=run.runtime_config,
                )
        handle = self.log_store.begin(str(run.company_id), str(run.agent_id), str(run.id))
        limits = self.settings.limits
        # the one place run output is written: masked (per stream, in order) before the log store and the
        # excerpts, and capped (heartbeat/capture.py)
        capture = CappedRunLog(
            self.log_store,
            handle,
            masker,
            max_bytes=limits.run_log_max_bytes,
            tail_bytes=limits.run_log_tail_bytes,
            excerpt_bytes=EXCERPT_BYTES,
        )
        on_log = capture.add
        pid_recorded: list[asyncio.Task] = []

        async def on_spawn(pid: int) -> None:
            active.pid = pid
            pid_recorded.append(
                self.journal.record_process(run, pid, spawned_start_ticks(pid), invoke_payload)
            )

        invoke_payload = {
            "adapterType": run.adapter_type,
            "cwd": run.adapter_config.get("cwd"),
            "command": run.adapter_config.get("command"),
            "env": masker.json(
                redact({k: v for k, v in env.items() if k.startswith("PAPERCLIP_") or k in config_env})
            ),
        }
        background: list[asyncio.Task] = []
        ctx = AdapterContext(
            run_id=run.id,
            agent=AgentInfo(run.agent_id, run.company_id, run.agent_name, run.adapter_type),
            config=run.adapter_config,
            context=run.context,
            env=env,
            runtime=state,
            auth_token=token,
            api_url=self.api_url,
            on_log=on_log,
            on_spawn=on_spawn,
            cancel=active.cancel,
            limits=limits,
        )
        try:
            result = await adapter.execute(ctx)
            if (
                not pid_recorded
            ):  # an adapter without a local process (http): the invocation event still counts
                background.append(
                    asyncio.create_task(
                        self._event(run, "adapter.invoke", "adapter invocation", invoke_payload)
                    )
                )
        finally:
            await capture.close()
            # the process record needs no wait: the journal writes it before this run's outcome
            for recorded in pid_recorded:
                recorded.add_done_callback(_log_failure)
            with contextlib.suppress(Exception):
                await asyncio.gather(*background)
        if active.cancel.is_set() and self._stopping and not result.cancelled:
            result.cancelled = True
        return self._outcome(result, masker, handle, state, capture, shutting_down=self._stopping)

    def _outcome(
        self,
        result: AdapterResult,
        masker: Masker,
        handle: LogHandle,
        state,
        capture: CappedRunLog,
        *,
        shutting_down: bool,
    ) -> RunOutcome:
        if result.cancelled and shutting_down:
            status, error, code = "failed", "Server shut down during the run", "control_plane_restart"
        elif result.cancelled:
            status, error, code = (
                "cancelled",
                result.error_message or "Cancelled",
                result.error_code or "cancelled",
            )
        elif result.timed_out:
            status, error, code = (
                "timed_out",
                result.error_message or "Timed out",
                result.error_code or "timeout",
            )
        elif result.error_message or (result.exit_code not in (0, None)) or result.signal:
            status = "failed"
            error = result.error_message or (
                f"Process exited with code {result.exit_code}"
                if result.exit_code
                else f"Process terminated by {result.signal}"
            )
            code = result.error_code or "nonzero_exit"
        else:
            status, error, code = "succeeded", None, None
        session_after = result.session_id or (result.session_params or {}).get("sessionId")
        return RunOutcome(
            status=status,
            error=masker.text(error) if error else None,
            error_code=code,
            exit_code=result.exit_code,
            signal=result.signal,
            usage=result.usage,
            result_json=masker.json(result.result_json),
            stdout_excerpt=excerpt(masker.text(capture.excerpt("stdout")), EXCERPT_BYTES),
            stderr_excerpt=excerpt(masker.text(capture.excerpt("stderr")), EXCERPT_BYTES),
            log_store=self.log_store.name,
            log_ref=handle.ref,
            log_bytes=handle.bytes,
            log_sha256=handle.sha256,
            session_before=state.session_id,
            session_after=session_after,
            session_params=result.session_params,
            session_display_id=result.session_display_id,
            clear_session=result.clear_session,
            task_key=state.task_key,
            external_run_id=result.external_run_id,
            provider=result.provider,
            biller=result.biller,
            billing_type=result.billing_type,
            model=result.model,
            cost_cents=cost_cents(result.cost_usd),
            cost_known=result.cost_usd is not None,
        )

    async def _event(self, run: ClaimedRun, event_type: str, message: str, payload: dict[str, Any]) -> None:
        async with unit_of_work(self.sessions) as session:
            await add_event(
                session, run, event_type=event_type, message=message, payload=payload, now=utcnow()
            )

    # ------------------------------------------------------------------ used by the reaper

    def tracked(self) -> set[uuid.UUID]:
        return set(self.active)


def listen_target(settings: Settings, database_url: str) -> tuple[str, bool]:
    """Where the runner LISTENs, and whether it must poll instead. A transaction-mode pooler (the
    app's connections without prepared statements) hands each statement to some server connection:
    a LISTEN there hears nothing. The direct connection (PAPERCLIP_MIGRATION_DATABASE_URL) does;
    without one the runner polls."""
    database = settings.database
    if database.embedded or database.prepared_statements:
        return database_url, False
    if database.migration_url:
        return database.migration_url, False
    return database_url, True


def _log_failure(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("recording an agent process failed: %s", future.exception())

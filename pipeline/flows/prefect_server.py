"""The local Prefect server: started beside the work, waited for when needed, never left behind.

`digest run` starts a temporary server (Prefect's ephemeral mode, no scheduler) and
`digest serve` a full one (scheduler, UI). Either runs as a child process that dies with
its parent, however the parent ends: the kernel tells it (Linux ``PR_SET_PDEATHSIG``) and
its stdin pipe closes, so a ``kill -9`` of ``digest run`` leaves no server reparented to
init. The child binds its port before importing Prefect and reports it on stdout, so the
port is known at once and no other process can take it in between.

Run as ``python -m pipeline.flows.prefect_server --host H --port P --parent PID [--ephemeral]``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from types import FrameType

import httpx

from pipeline.errors import ConfigError, DigestError
from pipeline.flows.prefect_env import configure
from pipeline.store.files import open_append_nofollow

log = logging.getLogger(__name__)

SERVER_HOST = "127.0.0.1"
SERVER_PORT = 4200
# the server's first start migrates its SQLite database: 20-36 s on a busy 2-core machine
STARTUP_TIMEOUT = 180.0
PORT_TIMEOUT = 30.0  # the child reports its port before it imports Prefect
STOP_TIMEOUT = 5.0
HEALTH_POLL = 0.2
SERVER_LOG = "prefect-server.log"
EXIT_BIND_FAILED = 3
ORPHAN_GRACE = 5.0  # seconds the child gives itself to stop after its parent is gone
PR_SET_PDEATHSIG = 1
# a log line worth the operator's eye: an ERROR record, or the exception a traceback ends with
ERROR_LINE_RE = re.compile(r"\|\s*ERROR\s*\||^ERROR:|^[A-Za-z_][\w.]*(?:Error|Exception): ")
# what Prefect's own temporary server sets: no UI, no scheduler or other services
EPHEMERAL_ENV = {
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
    "PREFECT_UI_ENABLED": "0",
}


def server_command(
    host: str = SERVER_HOST, port: int = SERVER_PORT, *, ephemeral: bool = False
) -> list[str]:
    """The command line of a local server child (this venv's Python, loopback only)."""
    command = [sys.executable, "-m", "pipeline.flows.prefect_server", "--host", host]
    command += ["--port", str(port), "--parent", str(os.getpid())]
    return [*command, "--ephemeral"] if ephemeral else command


def server_env(environ: MutableMapping[str, str]) -> dict[str, str]:
    """The server's environment: the user's, with the pipeline's quiet, no-telemetry defaults."""
    env = dict(environ)
    env.pop("PREFECT_API_URL", None)
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")  # its log is a file: keep warnings
    configure(env)
    return env


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True if a Prefect server answers its health check at api_url."""
    try:
        return httpx.get(f"{api_url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class LocalServer:
    """One server child of this process: start() returns at once, wait() until it answers."""

    def __init__(
        self,
        data_dir: Path,
        environ: MutableMapping[str, str],
        *,
        port: int = 0,
        ephemeral: bool = False,
        command: list[str] | None = None,
    ) -> None:
        self.log_path = data_dir / SERVER_LOG
        self.env = server_env(environ)
        self.command = command or server_command(port=port, ephemeral=ephemeral)
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        """The server's API URL (known once start() returned)."""
        return f"http://{SERVER_HOST}:{self.port}/api"

    def start(self) -> str:
        """Start the child in its own session (Ctrl-C reaches us, not it); return the API URL."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log.info("starting a local Prefect server: %s", " ".join(self.command))
        with open_append_nofollow(self.log_path) as output:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdin=subprocess.PIPE,  # closed by our exit, however we exit: the child stops
                stdout=subprocess.PIPE if self._reports_port() else output,
                stderr=output,
                start_new_session=True,
            )
        if self._reports_port():
            self.port = self._read_port()
        return self.api_url

    def _reports_port(self) -> bool:
        return "pipeline.flows.prefect_server" in self.command

    def _read_port(self) -> int:
        """The port the child bound, from its first line (it exits 3 if it cannot bind)."""
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], PORT_TIMEOUT)
        line = self.process.stdout.readline().decode(errors="replace").strip() if ready else ""
        if line.isdigit():
            return int(line)
        code = self.process.wait(timeout=STOP_TIMEOUT) if ready else None
        if code == EXIT_BIND_FAILED:
            raise ConfigError(f"cannot start a Prefect server: {line}; choose another --port")
        self.stop()
        raise DigestError(f"the Prefect server did not start ({line or 'no answer'})")

    def wait(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until the server answers; fail if it exits or takes longer than timeout."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while not is_healthy(self.api_url):
            if self.process.poll() is not None:
                raise DigestError(
                    f"the Prefect server exited with code {self.process.returncode}; "
                    f"see {self.log_path}"
                )
            if time.monotonic() > deadline:
                raise DigestError(
                    f"the Prefect server did not answer within {timeout:.0f} s; see {self.log_path}"
                )
            time.sleep(HEALTH_POLL)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the child and whatever it started (its process group): SIGTERM, then SIGKILL."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                log.warning("the Prefect server did not stop on %s", sig.name)
        log.info("stopped the local Prefect server (pid %s)", process.pid)


@contextlib.contextmanager
def prefect_server(
    environ: MutableMapping[str, str],
    data_dir: Path,
    *,
    port: int = SERVER_PORT,
    command: list[str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
    ephemeral: bool = False,
) -> Iterator[str]:
    """Yield the API URL: PREFECT_API_URL if set, else a local server's, stopped on exit."""
    existing = environ.get("PREFECT_API_URL")
    if existing:
        log.info("using the Prefect server at %s", existing)
        yield existing
        return
    if port and is_healthy(f"http://{SERVER_HOST}:{port}/api"):
        raise ConfigError(
            f"a Prefect server already answers at http://{SERVER_HOST}:{port}/api: set "
            f"PREFECT_API_URL=http://{SERVER_HOST}:{port}/api to use it, or choose another --port"
        )
    server = LocalServer(data_dir, environ, port=port, ephemeral=ephemeral, command=command)
    with sigterm_as_exit():
        try:
            api_url = server.start()
            server.wait(timeout)
            environ["PREFECT_API_URL"] = api_url
            yield api_url
        finally:
            environ.pop("PREFECT_API_URL", None)
            server.stop()


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit for the block, so cleanup code runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def follow_errors(
    path: Path, report: Callable[[str], None], stop: threading.Event, poll: float = 2.0
) -> None:
    """Report each new, distinct error line of a server log until stop is set.

    The server runs the scheduler: when it fails (as with SQLAlchemy 2.1, every minute),
    the operator should see it on `digest serve`'s terminal, not only in the log file.
    """
    seen: set[str] = set()
    with open(path, encoding="utf-8", errors="replace") as handle:
        handle.seek(0, os.SEEK_END)
        while not stop.wait(poll):
            for line in handle.readlines():
                text = line.strip()
                if ERROR_LINE_RE.search(text) and text not in seen:
                    seen.add(text)
                    report(text)


# --- the child ---------------------------------------------------------------------------


def die_with_parent(parent: int) -> None:
    """Stop this process when its parent ends, even by SIGKILL (kernel signal + stdin EOF)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent is already gone
        os._exit(0)
    threading.Thread(target=_stop_on_eof, args=(sys.stdin.fileno(),), daemon=True).start()


def _stop_on_eof(fd: int) -> None:
    """Block until the parent's end of the pipe closes, then stop: gently, then for good."""
    with contextlib.suppress(OSError):
        while os.read(fd, 4096):  # raw reads: no buffer lock to trip interpreter shutdown
            pass
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(ORPHAN_GRACE)
    os._exit(0)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything slow happens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def serve_api(sock: socket.socket) -> None:
    """Run Prefect's API (and, unless ephemeral, its services and UI) on the bound socket."""
    import uvicorn

    level = os.environ.get("PREFECT_SERVER_LOGGING_LEVEL", "WARNING").lower()
    config = uvicorn.Config(
        "prefect.server.api.server:create_app",
        factory=True,
        log_level=level,
        lifespan="on",
        timeout_graceful_shutdown=int(ORPHAN_GRACE),
    )
    uvicorn.Server(config).run(sockets=[sock])


def main(argv: list[str]) -> int:
    """The child: watch the parent, bind, report the port, serve until told to stop."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.flows.prefect_server")
    parser.add_argument("--host", default=SERVER_HOST)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--ephemeral", action="store_true")
    args = parser.parse_args(argv)
    die_with_parent(args.parent)
    if args.ephemeral:
        os.environ.update(EPHEMERAL_ENV)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        sys.stdout.write(f"port {args.port} on {args.host}: {exc.strerror}\n")
        return EXIT_BIND_FAILED
    sys.stdout.write(f"{sock.getsockname()[1]}\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # from now on, both go to the log
    serve_api(sock)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

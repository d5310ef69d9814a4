"""Scheduling and running the flows: deployments, a local Prefect server, task runners.

Prefect's ephemeral mode runs flows but schedules nothing: a nightly schedule needs a
real Prefect server. ``serve`` uses the one at ``PREFECT_API_URL`` or starts a local
``prefect server start`` on 127.0.0.1 for as long as it serves, and stops it on exit.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import httpx

from pipeline.config import Settings, find_config
from pipeline.errors import ConfigError, DigestError
from pipeline.prefect_env import configure

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment
    from prefect.flows import Flow
    from prefect.task_runners import TaskRunner

log = logging.getLogger(__name__)

NIGHTLY = "nightly"  # deployment names: daily-digest/nightly, weekly-digest/weekly
WEEKLY = "weekly"
SERVER_HOST = "127.0.0.1"
SERVER_PORT = 4200
# the server's first start migrates its SQLite database: 20-36 s on a busy 2-core machine
SERVER_STARTUP_TIMEOUT = 180.0
SERVER_STOP_TIMEOUT = 20.0
HEALTH_POLL = 0.5
SERVER_LOG = "prefect-server.log"
DASK_HINT = "pip install -e '.[dask]'"


def flow_parameters(
    settings: Settings, config: Path | None, flow: Flow[Any, Any]
) -> dict[str, Any]:
    """Deployment parameters: config and output paths, never secrets (Prefect keeps them)."""
    found = find_config(config)
    values: dict[str, Any] = {"output_dir": str(settings.output_dir.resolve())}
    if found is not None:
        values["config"] = str(found.resolve())
    accepted = inspect.signature(flow.fn).parameters
    return {key: value for key, value in values.items() if key in accepted}


def cron_schedule(cron: str, timezone: str) -> Any:
    """A cron schedule evaluated in the configured zone, not the machine's."""
    from prefect.schedules import Cron

    return Cron(cron, timezone=timezone)


def deployments(settings: Settings, config: Path | None = None) -> list[RunnerDeployment]:
    """The nightly daily-digest deployment, and the weekly one if the flow exists."""
    from prefect.types.entrypoint import EntrypointType

    from pipeline import flows

    plan: list[tuple[str, str, Flow[Any, Any] | None]] = [
        (NIGHTLY, settings.prefect.nightly_cron, flows.daily_digest),
        (WEEKLY, settings.prefect.weekly_cron, getattr(flows, "weekly_digest", None)),
    ]
    built: list[RunnerDeployment] = []
    for name, cron, flow in plan:
        if flow is None:
            log.info("no weekly_digest flow in pipeline.flows yet: no %s deployment", name)
            continue
        built.append(
            flow.to_deployment(  # type: ignore[arg-type]  # sync call: not a coroutine
                name,
                schedule=cron_schedule(cron, settings.timezone),
                parameters=flow_parameters(settings, config, flow),
                paused=False,
                concurrency_limit=1,  # a run for the same date would wait on the lock anyway
                tags=["digest"],
                # a module path works from any working directory (the package is installed)
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return built


def serve(
    settings: Settings,
    config: Path | None = None,
    *,
    port: int = SERVER_PORT,
    environ: MutableMapping[str, str] | None = None,
) -> None:
    """Serve the deployments on their schedules until Ctrl-C/SIGTERM (a local server if needed)."""
    environ = os.environ if environ is None else environ
    configure(environ)
    # Prefect 3.8's runner calls its async stop() without awaiting it on SIGTERM: harmless,
    # but the warning would end every `digest serve` session on the user's terminal.
    warnings.filterwarnings(
        "ignore", message="coroutine 'Runner.astop' was never awaited", category=RuntimeWarning
    )
    with prefect_server(environ, settings.data_dir, port=port) as api_url:
        from prefect import serve as prefect_serve
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            prefect_serve(*deployments(settings, config))


# --- the local Prefect server -----------------------------------------------------------


def server_command(host: str = SERVER_HOST, port: int = SERVER_PORT) -> list[str]:
    """The command line of a local Prefect server (the venv's Python, loopback only)."""
    return [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)]


def server_env(environ: MutableMapping[str, str]) -> dict[str, str]:
    """The server's environment: the user's, with the pipeline's quiet, no-telemetry defaults."""
    env = dict(environ)
    env.pop("PREFECT_API_URL", None)
    configure(env)
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    return env


@contextlib.contextmanager
def prefect_server(
    environ: MutableMapping[str, str],
    data_dir: Path,
    *,
    port: int = SERVER_PORT,
    command: list[str] | None = None,
    timeout: float = SERVER_STARTUP_TIMEOUT,
) -> Iterator[str]:
    """Yield the API URL: PREFECT_API_URL if set, else a local server's, stopped on exit."""
    existing = environ.get("PREFECT_API_URL")
    if existing:
        log.info("using the Prefect server at %s", existing)
        yield existing
        return
    api_url = f"http://{SERVER_HOST}:{port}/api"
    if is_healthy(api_url):
        raise ConfigError(
            f"a Prefect server already answers at {api_url}: set PREFECT_API_URL={api_url} "
            "to use it, or choose another --port"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    with sigterm_as_exit(), open(data_dir / SERVER_LOG, "ab") as server_log:
        command = command or server_command(port=port)
        process = start_server(command, server_env(environ), server_log)
        try:
            wait_healthy(api_url, process, timeout=timeout, log_path=data_dir / SERVER_LOG)
            environ["PREFECT_API_URL"] = api_url
            yield api_url
        finally:
            environ.pop("PREFECT_API_URL", None)
            stop_server(process)


def start_server(command: list[str], env: dict[str, str], output: Any) -> subprocess.Popen[bytes]:
    """Start the server in its own process group, so Ctrl-C reaches us first and we stop it."""
    log.info("starting a local Prefect server: %s", " ".join(command))
    return subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def is_healthy(api_url: str) -> bool:
    """True if a Prefect server answers its health check at api_url."""
    try:
        return httpx.get(f"{api_url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait_healthy(
    api_url: str, process: subprocess.Popen[bytes], *, timeout: float, log_path: Path
) -> None:
    """Wait until the server answers, or fail if it exits or takes longer than timeout."""
    deadline = time.monotonic() + timeout
    while not is_healthy(api_url):
        if process.poll() is not None:
            raise DigestError(
                f"the Prefect server exited with code {process.returncode}; see {log_path}"
            )
        if time.monotonic() > deadline:
            raise DigestError(
                f"the Prefect server did not answer within {timeout:.0f} s; see {log_path}"
            )
        time.sleep(HEALTH_POLL)


def stop_server(process: subprocess.Popen[bytes], timeout: float = SERVER_STOP_TIMEOUT) -> None:
    """Stop the server and whatever it started (its process group): SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
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
def sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit for the block, so cleanup code runs (main thread only)."""
    if sys.platform == "win32" or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- task runners -----------------------------------------------------------------------


def make_task_runner(settings: Settings) -> TaskRunner[Any]:
    """Threads in the flow process (default), or Dask: a cluster's address or a local cluster."""
    prefect = settings.prefect
    if prefect.task_runner == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=prefect.max_workers)
    try:
        from prefect_dask import DaskTaskRunner  # type: ignore[attr-defined]  # lazy re-export
    except ImportError as exc:
        raise ConfigError(
            f'task_runner = "dask" needs the prefect-dask package: {DASK_HINT}'
        ) from exc
    if prefect.dask_address:
        return DaskTaskRunner(address=prefect.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": prefect.dask_workers,
            "threads_per_worker": max(1, prefect.max_workers // prefect.dask_workers),
            "dashboard_address": None,  # no web dashboard port (and no bokeh needed)
        }
    )

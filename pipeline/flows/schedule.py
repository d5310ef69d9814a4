"""Scheduling: the deployments `digest serve` registers and runs, and the flows' task runners.

Prefect's ephemeral mode runs flows but schedules nothing: a nightly schedule needs a
real Prefect server. ``serve`` uses the one at ``PREFECT_API_URL`` or starts a local one
(:mod:`pipeline.flows.prefect_server`) for as long as it serves. Its deployments are named
``<flow>/<name>-serve`` so that they never overwrite the ``prefect deploy`` ones of
``prefect.yaml`` (``<flow>/<name>``) on a shared server.

Stopping is part of serving: on Ctrl-C or SIGTERM the runs in flight are cancelled
(state Cancelled, concurrency slot freed) before the server stops, and at start the
runs a previous ``digest serve`` left Running (killed, power cut) are marked Crashed.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pipeline.flows.prefect_env import CONFIG_ENV, OUTPUT_ENV, SERVE_PID_ENV, configure

configure(os.environ)

from prefect.runner import Runner  # noqa: E402 - after the Prefect defaults

from pipeline.config import Settings, find_config  # noqa: E402
from pipeline.errors import ConfigError  # noqa: E402
from pipeline.flows.prefect_server import (  # noqa: E402
    SERVER_LOG,
    SERVER_PORT,
    follow_errors,
    prefect_server,
)

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment
    from prefect.flows import Flow
    from prefect.task_runners import TaskRunner

log = logging.getLogger(__name__)

NIGHTLY = "nightly"  # prefect.yaml's names; digest serve adds SERVE_SUFFIX
WEEKLY = "weekly"
BRIEF = "brief"
SERVE_SUFFIX = "-serve"
TAG = "digest"
DASK_HINT = "pip install -e '.[dask]'"
ABANDONED = ("RUNNING", "PENDING", "CANCELLING")


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

    try:
        return Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise ConfigError(f"[prefect] cron {cron!r} is not a valid cron line: {exc}") from None


def plan(settings: Settings) -> list[tuple[str, str, Flow[Any, Any]]]:
    """(name, cron, flow) of each scheduled digest; an empty cron line means none."""
    from pipeline.flows import digest as flows

    crons = settings.prefect
    wanted = [
        (NIGHTLY, crons.nightly_cron, flows.daily_digest),
        (WEEKLY, crons.weekly_cron, flows.weekly_digest),
        (BRIEF, crons.brief_cron, flows.brief_digest),
    ]
    return [(name, cron, flow) for name, cron, flow in wanted if cron.strip()]


def deployments(settings: Settings, config: Path | None = None) -> list[RunnerDeployment]:
    """The nightly, weekly and brief deployments `digest serve` registers."""
    from prefect.types.entrypoint import EntrypointType

    return [
        flow.to_deployment(  # type: ignore[misc]  # sync call: not a coroutine
            name + SERVE_SUFFIX,
            schedule=cron_schedule(cron, settings.timezone),
            parameters=flow_parameters(settings, config, flow),
            paused=False,
            concurrency_limit=1,  # a run for the same date would wait on the lock anyway
            tags=[TAG],
            # a module path works from any working directory (the package is installed)
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        for name, cron, flow in plan(settings)
    ]


def serve(
    settings: Settings,
    config: Path | None = None,
    *,
    port: int = SERVER_PORT,
    environ: MutableMapping[str, str] | None = None,
    on_ready: Callable[[str, list[RunnerDeployment]], None] | None = None,
) -> None:
    """Serve the deployments on their schedules until Ctrl-C/SIGTERM (a local server if needed)."""
    environ = os.environ if environ is None else environ
    configure(environ)
    found = serve_config(config)
    pin_run_environment(environ, settings, found)
    ours = not environ.get("PREFECT_API_URL")
    with (
        prefect_server(environ, settings.data_dir, port=port) as api_url,
        server_errors(settings.data_dir / SERVER_LOG if ours else None),
    ):
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            built = deployments(settings, found)
            runner = ServeRunner(name="digest-serve", pause_on_shutdown=True)
            ids = [runner.add_deployment(d) for d in built]
            repair_abandoned(ids)  # type: ignore[arg-type]  # sync call: UUIDs, not coroutines
            if on_ready is not None:
                on_ready(api_url, built)
            asyncio.run(runner.start())


@contextlib.contextmanager
def server_errors(log_path: Path | None) -> Iterator[None]:
    """While serving, show the errors our server logs (a failing scheduler, say)."""
    if log_path is None:
        yield
        return
    stop = threading.Event()

    def report(line: str) -> None:
        log.error("Prefect server: %s (see %s)", line, log_path)

    follower = threading.Thread(target=follow_errors, args=(log_path, report, stop), daemon=True)
    follower.start()
    try:
        yield
    finally:
        stop.set()


def serve_config(config: Path | None) -> Path:
    """The config file serve runs from: scheduled runs never fall back to built-in defaults."""
    found = find_config(config)
    if found is None:
        raise ConfigError(
            "digest serve needs a config file: create ./digest.toml (start from "
            "digest.example.toml) or pass --config PATH"
        )
    return found.resolve()


def pin_run_environment(
    environ: MutableMapping[str, str], settings: Settings, config: Path
) -> None:
    """What the served runs inherit: this config and output directory, and who to outlive not."""
    environ[CONFIG_ENV] = str(config)
    environ[OUTPUT_ENV] = str(settings.output_dir.resolve())
    environ[SERVE_PID_ENV] = str(os.getpid())


def repair_abandoned(deployment_ids: list[UUID]) -> list[str]:
    """End the runs of these deployments that a stopped `digest serve` left unfinished.

    Only `digest serve` runs them, so a run still Running or Pending at start has lost its
    process: it becomes Crashed (Cancelled if a cancel was asked), which frees its slot.
    """
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    run_filter = FlowRunFilter(
        deployment_id=FlowRunFilterDeploymentId(any_=deployment_ids),
        state=FlowRunFilterState(
            type=FlowRunFilterStateType(any_=[StateType(kind) for kind in ABANDONED])
        ),
    )
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=run_filter)
        for run in runs:
            client.set_flow_run_state(run.id, abandoned_state(run.state_type), force=True)
            log.warning(
                "flow run %s was left %s by a stopped digest serve", run.name, run.state_type
            )
    return [run.name for run in runs]


def abandoned_state(kind: Any) -> Any:
    """The state an abandoned run ends in: Cancelled if it was being cancelled, else Crashed."""
    from prefect.client.schemas.objects import StateType
    from prefect.states import Cancelled, Crashed

    if kind == StateType.CANCELLING:
        return Cancelled(message="cancelled while no digest serve was running")
    return Crashed(message="its digest serve stopped during the run (found at the next start)")


class ServeRunner(Runner):
    """Prefect's Runner, stopped properly by SIGTERM and Ctrl-C alike.

    Prefect 3.8's own SIGTERM handler calls its async ``stop()`` without awaiting it and
    exits at once, leaving the runs in flight Running with their concurrency slots held.
    Here both signals schedule ``astop()`` on the loop: runs in flight are cancelled
    (process killed, state Cancelled, slot freed), then the runner returns.
    """

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
        """SIGTERM (and SIGINT): cancel the runs in flight, then stop polling and return."""
        loop = self._loop
        if getattr(self, "_digest_stopping", False) or loop is None:
            return
        self._digest_stopping = True
        log.warning("stopping: cancelling the runs in flight, then the server")
        loop.call_soon_threadsafe(lambda: loop.create_task(self.astop()))

    async def start(self, run_once: bool = False, webserver: bool | None = None) -> None:
        """Start polling; Ctrl-C stops like SIGTERM (installed once the loop runs)."""
        self._loop = asyncio.get_running_loop()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self.handle_sigterm)
        with warnings.catch_warnings():
            # Prefect's runner logs a harmless warning for its unawaited stop coroutine
            warnings.filterwarnings("ignore", message="coroutine .* was never awaited")
            await super().start(run_once=run_once, webserver=webserver)


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

"""Running flows from the CLI: checks that fail fast, the lock, Prefect beside the work, the report.

The order is the operator's: the run's lock is taken before anything slow (a second run
for the same date is refused at once), a status line shows while Prefect starts, the
temporary Prefect server boots while Prefect is imported (or a running server is used
when ``PREFECT_API_URL`` is set), and Ctrl-C or SIGTERM end the run within seconds
(:class:`Interrupts`). This module imports neither Prefect nor the LLM client at load.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline import progress
from pipeline.config import Settings
from pipeline.errors import DigestError
from pipeline.flows.prefect_env import configure
from pipeline.flows.prefect_server import LocalServer
from pipeline.flows.preflight import preflight
from pipeline.progress import LogReporter, RichReporter
from pipeline.store.files import run_key, run_locks

if TYPE_CHECKING:
    from pipeline.models import RunSummary

log = logging.getLogger(__name__)

HARD_EXIT_AFTER = 5.0  # seconds an interrupted run gets to clean up before it exits anyway
REPORT_TIMEOUT = 2.0  # seconds to tell the Prefect server that the run was cancelled
EXIT_NO_DRAFT = 2
SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}


def run_days(
    settings: Settings,
    days: list[date],
    fmt: str,
    *,
    offline: bool,
    no_llm: bool,
    force: bool,
    config: Path | None,
    console: Console,
    debug: bool,
    interrupts: Interrupts | None = None,
) -> int:
    """Run the flow for each date in turn; the exit code is the worst of the runs."""
    with starting(console, "Checking the configuration…", plain=False):
        preflight(settings, offline=offline, no_llm=no_llm)
    configure(os.environ, debug=debug)
    with (
        run_locks(settings.data_dir, [run_key(fmt, day) for day in days]),
        prefect_ready(settings.data_dir, console, interrupts) as flows,
    ):
        from pipeline.flows.schedule import make_task_runner

        run_flow = flows.flow_of(fmt).with_options(task_runner=make_task_runner(settings))
        worst = 0
        for day in days:
            console.print(f"[bold]digest run[/] {fmt} {day} …", highlight=False)
            with reporting(console):
                summary = run_one(run_flow, day, settings, config, offline, no_llm, force)
            print_summary(summary, console)
            worst = max(worst, summary.exit_code if summary.draft else EXIT_NO_DRAFT)
    return worst


def run_one(
    run_flow: Any,
    day: date,
    settings: Settings,
    config: Path | None,
    offline: bool,
    no_llm: bool,
    force: bool,
) -> RunSummary:
    """One flow run; its summary, also when it wrote no draft (Prefect state Failed)."""
    from pipeline.errors import NoDraft
    from pipeline.models import RunSummary

    state = run_flow(
        date=day.isoformat(),
        config=str(config) if config else None,
        output_dir=str(settings.output_dir),
        offline=offline,
        no_llm=no_llm,
        force=force,
        return_state=True,
    )
    result = state.result(raise_on_failure=False)
    if isinstance(result, NoDraft):
        return RunSummary.model_validate(result.summary)
    if isinstance(result, BaseException):
        raise result
    return RunSummary.model_validate(result)


@contextlib.contextmanager
def prefect_ready(
    data_dir: Path, console: Console, interrupts: Interrupts | None
) -> Iterator[ModuleType]:
    """The flows module, with a Prefect API to talk to: PREFECT_API_URL, or a temporary server.

    The temporary server boots while Prefect and the flows are imported (both take seconds).
    """
    server: LocalServer | None = None
    with starting(console, "Starting Prefect (its first start on a machine takes longer)…"):
        api_url = os.environ.get("PREFECT_API_URL")
        if not api_url:
            server = LocalServer(data_dir, os.environ, ephemeral=True)
            if interrupts is not None:
                interrupts.on_interrupt(server.stop)
            api_url = os.environ["PREFECT_API_URL"] = server.start()
        try:
            from pipeline.flows import (
                digest as flows,  # imports Prefect: seconds, while the server boots
            )

            if interrupts is not None:
                interrupts.keep_sigterm()
            wait_for_api(api_url, server)
        except BaseException:
            stop_temporary(server)
            raise
    try:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield flows
    finally:
        if server is not None:
            drain_prefect_workers()
        stop_temporary(server)


def drain_prefect_workers(timeout: float = 5.0) -> None:
    """Send what Prefect's event and log workers still hold while our server answers.

    Left queued for a server that is gone, they would be retried one by one at exit
    ("Still processing items: … remaining"), for minutes, in a long-lived process.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (EventsWorker, APILogWorker):
        try:
            worker.drain_all(timeout=timeout)
        except Exception as exc:  # best effort: the run itself is over
            log.debug("could not drain %s: %r", worker.__name__, exc)


def wait_for_api(api_url: str, server: LocalServer | None) -> None:
    """Wait for our temporary server, or check that the configured one answers at all."""
    if server is not None:
        server.wait()
        return
    try:
        httpx.get(f"{api_url}/health", timeout=10.0)
    except httpx.TransportError as exc:
        raise DigestError(
            f"no Prefect server answers at PREFECT_API_URL={api_url} ({exc}); start it, or "
            "unset PREFECT_API_URL to run on a temporary local server"
        ) from None


def stop_temporary(server: LocalServer | None) -> None:
    """Stop our temporary server, if we started one, and forget its URL."""
    if server is not None:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


@contextlib.contextmanager
def starting(console: Console, message: str, *, plain: bool = True) -> Iterator[None]:
    """A spinner with what is happening on a terminal; elsewhere one plain line (if plain)."""
    if not console.is_terminal:
        if plain:
            console.print(message, highlight=False)
        yield
        return
    with console.status(message):
        yield


@contextlib.contextmanager
def reporting(console: Console) -> Iterator[None]:
    """Progress bars on a terminal, plain log lines otherwise, for the duration of a run."""
    if console.is_terminal:
        with RichReporter(console) as reporter:
            previous = progress.install(reporter)
            try:
                yield
            finally:
                progress.install(previous)
        return
    previous = progress.install(LogReporter())
    try:
        yield
    finally:
        progress.install(previous)


def print_summary(summary: RunSummary, console: Console) -> None:
    """The end-of-run report on the terminal."""
    from pipeline.formats.daily import summary_rows

    table = Table(title=f"{summary.format} {summary.date}", show_header=False, box=None)
    rows = summary_rows(summary)
    for key, value in rows:
        table.add_row(f"[bold]{key}[/]", escape(str(value)))
    console.print(table)
    for failure in summary.failures[:20]:
        console.print(
            f"  [yellow]{failure.stage}[/] {escape(failure.url)}: {escape(failure.error)}",
            highlight=False,
        )
    if len(summary.failures) > 20:
        console.print(f"  … and {len(summary.failures) - 20} more (see {summary.record})")
    for problem in summary.problems[:10]:
        console.print(f"  [red]lint[/] {escape(problem)}", highlight=False)
    if summary.note:
        console.print(f"[bold yellow]Note:[/] {escape(summary.note)}", highlight=False)


# --- interrupts ----------------------------------------------------------------------------


class Interrupts:
    """Ctrl-C or SIGTERM during ``digest run``: stop within seconds, one line, exit 128+signal.

    Everything the run keeps is already safe: the archive and the LLM cache commit as the
    run goes, drafts and records are written atomically, and the kernel releases the run
    lock. So the handler does not unwind through Prefect (which would wait for in-flight
    tasks and print its crash reports): it tells the Prefect server the run was cancelled
    (bounded), stops the temporary server and child processes, prints one line and exits.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self.cleanups: list[Callable[[], None]] = []
        self.previous: dict[int, Any] = {}
        self.stopping = False
        self.handler = self.handle  # one bound method: Prefect compares handlers with `is`

    def on_interrupt(self, cleanup: Callable[[], None]) -> None:
        """Run cleanup (bounded, errors ignored) when the run is interrupted."""
        self.cleanups.append(cleanup)

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNAL_NAMES:
                self.previous[sig] = signal.signal(sig, self.handler)
        return self

    def keep_sigterm(self) -> None:
        """Keep SIGTERM ours while a flow runs (call once Prefect is imported).

        Prefect's flow engine swaps in its own SIGTERM handler for the run, which logs
        "Crash detected!" before handing the signal back. It installs whatever its module
        names as its handler, so naming ours there makes SIGTERM behave like Ctrl-C.
        """
        from prefect.utilities import engine

        if self.previous and hasattr(engine, "_prefect_sigterm_handler"):
            engine._prefect_sigterm_handler = self.handler  # type: ignore[assignment]  # ours returns

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: clean up within HARD_EXIT_AFTER seconds, then exit."""
        code = 128 + signum
        if self.stopping:  # a second Ctrl-C: no more waiting
            os._exit(code)
        self.stopping = True
        logging.disable(logging.CRITICAL)  # no Prefect crash reports on the way out
        timer = threading.Timer(HARD_EXIT_AFTER, os._exit, (code,))
        timer.daemon = True
        timer.start()
        reason = f"interrupted by {SIGNAL_NAMES.get(signal.Signals(signum), 'a signal')}"
        for cleanup in [lambda: cancel_current_run(reason), *reversed(self.cleanups)]:
            with contextlib.suppress(Exception):
                cleanup()
        stop_children()
        self.say(reason)
        os._exit(code)

    def say(self, reason: str) -> None:
        """The one line the user sees."""
        self.console.show_cursor(True)
        self.console.print(
            f"\n[bold yellow]Stopped[/] ({reason}). What was fetched, extracted and written "
            "so far is kept; run the same command again to resume.",
            highlight=False,
            soft_wrap=True,
        )
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()


def cancel_current_run(reason: str) -> None:
    """Tell the Prefect server that the flow run in progress was cancelled (bounded)."""
    if "prefect" not in sys.modules:
        return
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL

    context = FlowRunContext.get()
    api_url = PREFECT_API_URL.value()
    if context is None or context.flow_run is None or not api_url:
        return
    state = {"type": "CANCELLED", "name": "Cancelled", "message": reason}
    httpx.post(
        f"{api_url}/flow_runs/{context.flow_run.id}/set_state",
        json={"state": state, "force": True},
        headers=api_headers(),
        timeout=REPORT_TIMEOUT,
    )


def api_headers() -> dict[str, str]:
    """Authorization for the Prefect API, as Prefect's own client would send it."""
    if key := os.environ.get("PREFECT_API_KEY"):
        return {"Authorization": f"Bearer {key}"}
    if auth := os.environ.get("PREFECT_API_AUTH_STRING"):
        import base64

        return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}
    return {}


def stop_children() -> None:
    """Kill the worker processes this process started (a local Dask cluster)."""
    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.kill()

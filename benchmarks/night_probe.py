"""Run the real ``digest`` command line with timing probes around Prefect (benchmark only).

    python -m benchmarks.night_probe TIMINGS.json run --date 2026-02-14 --config digest.toml

It is ``digest`` itself (the CLI's own ``app``), with wrappers that note when things
happen, written as JSON when the command ends: the Prefect import, each flow call and
flow body, each task call, submission, body and result, and the flow's own archive work
between tasks. Nothing in the run's behaviour changes; the wrappers cost microseconds.
The benchmark (``benchmarks.night``) turns these into Prefect's share of the wall time.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

STARTED = time.time()
EVENTS: list[dict[str, Any]] = []
MARKS: dict[str, float] = {"probe_start": STARTED}
_LOCK = threading.Lock()


def note(kind: str, name: str, start: float, end: float, run_id: str | None = None) -> None:
    """Record one timed event (wall-clock seconds since the epoch)."""
    with _LOCK:
        EVENTS.append({"kind": kind, "name": name, "start": start, "end": end, "id": run_id})


def timed(kind: str, name: str, fn: Callable[..., Any], ident: Callable[[Any], Any]) -> Any:
    """fn wrapped to note its start and end; ident(result) names the task run, if any."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.time()
        result = fn(*args, **kwargs)
        note(kind, name, start, time.time(), ident(result))
        return result

    return wrapper


def current_task_run() -> str | None:
    """The id of the task run this thread is executing, if any."""
    from prefect.context import TaskRunContext

    ctx = TaskRunContext.get()
    return str(ctx.task_run.id) if ctx and ctx.task_run else None


def body(kind: str, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A task or flow function wrapped to note its body's run time and task run id."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, run_id = time.time(), current_task_run()
        try:
            return fn(*args, **kwargs)
        finally:
            note(kind, name, start, time.time(), run_id)

    return wrapper


def future_id(future: Any) -> str | None:
    """The task run id of a Prefect future."""
    return str(getattr(future, "task_run_id", "")) or None


def install(flows: ModuleType) -> None:
    """Wrap the flows, tasks and futures of the freshly imported flows module."""
    import prefect
    from prefect.futures import PrefectConcurrentFuture

    from pipeline.flows import steps
    from pipeline.ingest import absorb

    MARKS["flows_imported"] = time.time()
    for value in vars(flows).values():
        if isinstance(value, prefect.Task):
            value.fn = body("task_body", value.name, value.fn)
        elif isinstance(value, prefect.Flow):
            value.fn = body("flow_body", value.name, value.fn)
    prefect.Flow.__call__ = timed("flow_call", "flow", prefect.Flow.__call__, lambda _: None)  # type: ignore[method-assign]
    wrap_task_entry(prefect.Task)
    PrefectConcurrentFuture.result = wrap_result(PrefectConcurrentFuture.result)  # type: ignore[method-assign]
    steps.timed = stage_timer(steps.timed)
    absorb.absorb_pages = timed("flow_work", "absorb_pages", absorb.absorb_pages, lambda _: None)
    absorb.absorb_feeds = timed("flow_work", "absorb_feeds", absorb.absorb_feeds, lambda _: None)


def stage_timer(original: Callable[..., Any]) -> Callable[..., Any]:
    """The flow's stage timer (``steps.timed``), also noting each stage as an event."""

    @contextmanager
    def stage(times: dict[str, float], name: str) -> Iterator[None]:
        start = time.time()
        try:
            with original(times, name):
                yield
        finally:
            note("stage", name, start, time.time())

    return stage


def wrap_task_entry(task_class: Any) -> None:
    """Note each direct task call and each submission, with the task's name."""
    call, submit = task_class.__call__, task_class.submit

    def called(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.time()
        result = call(self, *args, **kwargs)
        note("task_call", self.name, start, time.time())
        return result

    def submitted(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.time()
        future = submit(self, *args, **kwargs)
        note("submit", self.name, start, time.time(), future_id(future))
        return future

    task_class.__call__, task_class.submit = called, submitted


def wrap_result(result: Callable[..., Any]) -> Callable[..., Any]:
    """A future's result() noting when it was asked for and when it returned."""

    @functools.wraps(result)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.time()
        try:
            return result(self, *args, **kwargs)
        finally:
            note("result", "", start, time.time(), future_id(self))

    return wrapper


def write(path: Path) -> None:
    """Write the marks and events as JSON."""
    MARKS["app_returned"] = time.time()
    data = {"marks": MARKS, "events": EVENTS}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


class FlowsImportHook(importlib.abc.MetaPathFinder):
    """Installs the probes right after ``pipeline.flows.digest`` is imported, whoever imports it.

    So the import happens where the real command does it (after its Prefect settings and
    logging), and the probes do not depend on where that is.
    """

    def find_spec(self, name: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if name != "pipeline.flows.digest":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            started = time.time()
            load(module)
            MARKS["import_flows_seconds"] = time.time() - started
            install(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def main() -> None:
    """Install the probes, run the CLI with the remaining arguments, write the timings."""
    out = Path(sys.argv[1])
    from pipeline.cli.app import app

    MARKS["cli_imported"] = time.time()
    sys.meta_path.insert(0, FlowsImportHook())
    try:
        app(sys.argv[2:], prog_name="digest")
    finally:
        write(out)


if __name__ == "__main__":
    # Run as the importable module, not as __main__: Dask pickles the wrapped task
    # functions, and a worker process can then import their module by name.
    from benchmarks import night_probe

    night_probe.main()

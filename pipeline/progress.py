"""Progress of long stages: a bar on a terminal, log lines elsewhere, nothing by default.

Stages report through :func:`stage`; the CLI installs a reporter for the run. Tasks
that run in another process (Dask workers) report to the default no-op reporter.

A failure that the run records (and the run report lists) is logged with
``extra=failure(stage)``: :class:`FailureFilter` counts it on the stage's bar instead of
printing it a second time. While bars are shown, every log line goes through their
console, so it prints above them instead of being glued onto a bar.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

log = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 10.0


FAILED_STAGE = "failed_stage"  # the LogRecord attribute that marks a recorded failure
COUNTED = "failure_counted"  # set once the failure is counted on its bar


class Reporter(Protocol):
    """Receives the progress of stages."""

    def start(self, name: str, total: int) -> None: ...
    def advance(self, name: str, amount: int = 1) -> None: ...
    def fail(self, name: str) -> None: ...
    def finish(self, name: str) -> None: ...


class NullReporter:
    """Reports nothing (the default, and in tests)."""

    def start(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, amount: int = 1) -> None:
        pass

    def fail(self, name: str) -> None:
        pass

    def finish(self, name: str) -> None:
        pass


def failure(stage: str) -> dict[str, str]:
    """The ``extra`` of a log call about a failure the run records (and reports at the end)."""
    return {FAILED_STAGE: stage}


class FailureFilter(logging.Filter):
    """Counts recorded failures on their stage's progress and drops their log lines.

    Each such failure is in the run's record and its end-of-run report: printing it as it
    happens too would show it twice. ``--debug`` does without this filter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        stage_name = getattr(record, FAILED_STAGE, None)
        if stage_name is None:
            return True
        if not getattr(record, COUNTED, False):  # once, however many handlers filter it
            setattr(record, COUNTED, True)
            _reporter.fail(str(stage_name))
        return False


class LogReporter:
    """Plain log lines: a stage's start, its progress every few seconds, its end."""

    def __init__(self, logger: logging.Logger = log) -> None:
        self.logger = logger
        # name → [done, total, started, last log, failed]
        self._state: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def start(self, name: str, total: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._state[name] = [0, total, now, now, 0]
        self.logger.info("%s: %d to do", name, total)

    def fail(self, name: str) -> None:
        with self._lock:
            if name in self._state:
                self._state[name][4] += 1

    def advance(self, name: str, amount: int = 1) -> None:
        with self._lock:
            state = self._state.get(name)
            if state is None:
                return
            state[0] += amount
            due = time.monotonic() - state[3] >= LOG_EVERY_SECONDS
            if due:
                state[3] = time.monotonic()
        if due:
            self.logger.info("%s: %d/%d", name, int(state[0]), int(state[1]))

    def finish(self, name: str) -> None:
        with self._lock:
            state = self._state.pop(name, None)
        if state is not None:
            elapsed = time.monotonic() - state[2]
            failed = f", {int(state[4])} failed" if state[4] else ""
            self.logger.info(
                "%s: %d/%d done in %.1f s%s", name, int(state[0]), int(state[1]), elapsed, failed
            )


class RichReporter:
    """Progress bars on a terminal (rich), one per running stage."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[failed]}", style="red"),
            console=console,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}
        self._failed: dict[str, int] = {}
        self._routed: list[tuple[logging.Handler, Console]] = []

    def __enter__(self) -> RichReporter:
        self.progress.start()
        self._routed = route_logs(self.progress.console)
        return self

    def __exit__(self, *exc: object) -> None:
        for handler, console in self._routed:
            handler.console = console  # type: ignore[attr-defined]
        self._routed = []
        self.progress.stop()

    def start(self, name: str, total: int) -> None:
        self._failed[name] = 0
        self._tasks[name] = self.progress.add_task(name, total=total, failed="")

    def advance(self, name: str, amount: int = 1) -> None:
        if name in self._tasks:
            self.progress.advance(self._tasks[name], amount)

    def fail(self, name: str) -> None:
        if name in self._tasks:
            self._failed[name] += 1
            self.progress.update(self._tasks[name], failed=f"{self._failed[name]} failed")

    def finish(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is not None:
            self.progress.remove_task(task)


def route_logs(console: Console) -> list[tuple[logging.Handler, Console]]:
    """Point every rich logging handler at console; returns (handler, old console) pairs."""
    routed = []
    for handler in _console_handlers():
        old = handler.console  # type: ignore[attr-defined]
        if old is not console:
            handler.console = console  # type: ignore[attr-defined]
            routed.append((handler, old))
    return routed


def _console_handlers() -> list[logging.Handler]:
    """The logging handlers that print through a rich Console (ours and Prefect's)."""
    loggers = [logging.getLogger()] + [
        item
        for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    handlers = {id(h): h for lg in loggers for h in lg.handlers}
    return [h for h in handlers.values() if isinstance(getattr(h, "console", None), Console)]


_reporter: Reporter = NullReporter()


def install(reporter: Reporter) -> Reporter:
    """Make ``reporter`` receive progress; returns the previous one."""
    global _reporter
    previous, _reporter = _reporter, reporter
    return previous


def advance(name: str, amount: int = 1) -> None:
    """One more unit of work of stage ``name`` is done."""
    _reporter.advance(name, amount)


@contextmanager
def stage(name: str, total: int) -> Iterator[None]:
    """A stage of ``total`` units; call :func:`advance` as they complete."""
    _reporter.start(name, total)
    try:
        yield
    finally:
        _reporter.finish(name)

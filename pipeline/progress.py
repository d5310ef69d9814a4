"""Progress of long stages: a bar on a terminal, log lines elsewhere, nothing by default.

Stages report through :func:`stage`; the CLI installs a reporter for the run. Tasks
that run in another process (Dask workers) report to the default no-op reporter.
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


class Reporter(Protocol):
    """Receives the progress of stages."""

    def start(self, name: str, total: int) -> None: ...
    def advance(self, name: str, amount: int = 1) -> None: ...
    def finish(self, name: str) -> None: ...


class NullReporter:
    """Reports nothing (the default, and in tests)."""

    def start(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, amount: int = 1) -> None:
        pass

    def finish(self, name: str) -> None:
        pass


class LogReporter:
    """Plain log lines: a stage's start, its progress every few seconds, its end."""

    def __init__(self, logger: logging.Logger = log) -> None:
        self.logger = logger
        self._state: dict[str, list[float]] = {}  # name → [done, total, started, last log]
        self._lock = threading.Lock()

    def start(self, name: str, total: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._state[name] = [0, total, now, now]
        self.logger.info("%s: %d to do", name, total)

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
            self.logger.info(
                "%s: %d/%d done in %.1f s", name, int(state[0]), int(state[1]), elapsed
            )


class RichReporter:
    """Progress bars on a terminal (rich), one per running stage."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, name: str, total: int) -> None:
        self._tasks[name] = self.progress.add_task(name, total=total)

    def advance(self, name: str, amount: int = 1) -> None:
        if name in self._tasks:
            self.progress.advance(self._tasks[name], amount)

    def finish(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is not None:
            self.progress.remove_task(task)


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

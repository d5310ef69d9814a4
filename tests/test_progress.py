"""Progress of long stages: log lines when not on a terminal, bars on one, silence by default."""

from __future__ import annotations

import io
import logging

import pytest
from rich.console import Console

from pipeline import progress
from pipeline.progress import LogReporter, NullReporter, RichReporter


def test_log_reporter_says_start_and_end_of_a_stage(caplog: pytest.LogCaptureFixture) -> None:
    previous = progress.install(LogReporter())
    try:
        with (
            caplog.at_level(logging.INFO, logger="pipeline.progress"),
            progress.stage("pages", 3),
        ):
            for _ in range(3):
                progress.advance("pages")
    finally:
        progress.install(previous)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "pages: 3 to do"
    assert messages[-1].startswith("pages: 3/3 done in ")


def test_rich_reporter_draws_bars_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    with RichReporter(console) as reporter:
        previous = progress.install(reporter)
        try:
            with progress.stage("stories", 2):
                progress.advance("stories", 2)
                reporter.progress.refresh()
        finally:
            progress.install(previous)
    assert "stories" in out.getvalue() and "2/2" in out.getvalue()


def test_default_reporter_is_silent_and_ignores_unknown_stages() -> None:
    assert isinstance(progress.install(NullReporter()), NullReporter)
    progress.advance("never-started")  # no error, no output

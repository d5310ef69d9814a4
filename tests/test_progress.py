"""Progress of long stages: log lines when not on a terminal, bars on one, silence by default."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from rich.console import Console
from rich.logging import RichHandler

from pipeline import progress
from pipeline.progress import FailureFilter, LogReporter, NullReporter, RichReporter
from tests.day import DAY, serve_day, write_config
from tests.servers import TestServer
from tests.terminal import run_in_pty, screen_lines


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


def test_log_lines_print_through_the_progress_console_above_the_bars() -> None:
    """A warning during a stage goes through the bars' console, on a line of its own."""
    bars, elsewhere = io.StringIO(), io.StringIO()
    handler = RichHandler(console=Console(file=elsewhere, force_terminal=True), show_time=False)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        console = Console(file=bars, force_terminal=True, width=100)
        with RichReporter(console) as reporter:
            previous = progress.install(reporter)
            try:
                with progress.stage("feeds", 3):
                    progress.advance("feeds")
                    reporter.progress.refresh()
                    logging.getLogger("pipeline.ingest.gather").warning(
                        "feed Slow AI: unusual dates"
                    )
                    progress.advance("feeds")
                    reporter.progress.refresh()
            finally:
                progress.install(previous)
        assert handler.console.file is elsewhere  # routed back after the run
    finally:
        root.removeHandler(handler)
    assert elsewhere.getvalue() == ""
    shown = screen_lines(bars.getvalue())
    warning = next(line for line in shown if "feed Slow AI: unusual dates" in line)
    assert "━" not in warning and "feeds" not in warning


def test_a_recorded_failure_is_counted_on_its_bar_not_printed() -> None:
    """A failure the run records shows as "1 failed" on its stage, not as a log line."""
    bars = io.StringIO()
    console = Console(file=bars, force_terminal=True, width=100)
    handler = RichHandler(console=console, show_time=False)
    handler.addFilter(FailureFilter())
    log = logging.getLogger("pipeline.test_progress")
    log.addHandler(handler)
    try:
        with RichReporter(console) as reporter:
            previous = progress.install(reporter)
            try:
                with progress.stage("pages", 2):
                    log.warning("page x failed: HTTP 500", extra=progress.failure("pages"))
                    progress.advance("pages")
                    reporter.progress.refresh()
                    log.warning("an ordinary warning")
            finally:
                progress.install(previous)
    finally:
        log.removeHandler(handler)
    text = bars.getvalue()
    assert "1 failed" in text and "HTTP 500" not in text and "an ordinary warning" in text


def test_log_reporter_counts_failures_in_the_stage_line(caplog: pytest.LogCaptureFixture) -> None:
    """Without a terminal the stage's last line says how many of its items failed."""
    previous = progress.install(LogReporter())
    try:
        with caplog.at_level(logging.INFO, logger="pipeline.progress"), progress.stage("feeds", 2):
            FailureFilter().filter(
                logging.LogRecord("x", logging.WARNING, "", 0, "m", None, None)
            )  # not a failure: passes, counts nothing
            record = logging.LogRecord("x", logging.WARNING, "", 0, "feed failed", None, None)
            record.__dict__.update(progress.failure("feeds"))
            assert FailureFilter().filter(record) is False
            progress.advance("feeds", 2)
    finally:
        progress.install(previous)
    assert caplog.records[-1].getMessage().endswith(", 1 failed")


def test_run_on_a_terminal_prints_each_failure_once_and_nothing_on_a_bar(
    tmp_path: Path, server: TestServer
) -> None:
    """A real run on a pty: no log text glued to a bar line; each failing URL shown once."""
    serve_day(server)
    config = write_config(tmp_path, server)
    env = {"PREFECT_HOME": str(tmp_path / "prefect-home")}
    args = ["run", "--date", DAY, "--no-llm", "--config", str(config)]
    done = run_in_pty([*args, "--output-dir", str(tmp_path / "output")], tmp_path, env)
    assert done.code == 1, done.stdout
    shown = screen_lines(done.stdout)
    glued = [line for line in shown if "━" in line and ("WARNING" in line or "failed:" in line)]
    assert glued == []
    record = json.loads((tmp_path / "output" / "daily" / f"{DAY}.json").read_text("utf-8"))
    assert record["failures"]
    for failure in record["failures"]:
        assert sum(failure["url"] in line for line in shown) == 1, failure["url"]
    assert "Traceback" not in done.stdout

"""Running flows from the CLI: checks that fail fast, the flow call, the run report."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline import progress
from pipeline.assemble import EXIT_NO_DRAFT, RunSummary, summary_rows
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.llm import require_api_key
from pipeline.prefect_env import configure
from pipeline.progress import LogReporter, RichReporter


def preflight(settings: Settings, *, offline: bool, no_llm: bool) -> None:
    """Fail before any work when the run cannot succeed: no LLM key, no sources.

    Offline, the key is asked for only by a call whose answer is not in the LLM cache:
    a rerun answered from the cache needs none.
    """
    if not (no_llm or offline):
        require_api_key(settings.llm)
    if not offline and not settings.sources:
        raise ConfigError("no sources configured: add [[sources]] to digest.toml")


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
) -> int:
    """Run the flow for each date in turn; the exit code is the worst of the runs."""
    preflight(settings, offline=offline, no_llm=no_llm)
    configure(os.environ, debug=debug)
    from pipeline import flows  # lazy: importing Prefect takes seconds
    from pipeline.schedule import make_task_runner

    chosen = {
        "daily": flows.daily_digest,
        "weekly": flows.weekly_digest,
        "brief": flows.brief_digest,
    }[fmt]
    run_flow = chosen.with_options(task_runner=make_task_runner(settings))
    if not os.environ.get("PREFECT_API_URL"):
        console.print(
            "[dim]Prefect runs the flow on a temporary local server "
            "(its first start on a machine can take a minute)…[/]"
        )
    worst = 0
    for day in days:
        console.print(f"[bold]digest run[/] {fmt} {day} …", highlight=False)
        with reporting(console):
            result = run_flow(
                date=day.isoformat(),
                config=str(config) if config else None,
                output_dir=str(settings.output_dir),
                offline=offline,
                no_llm=no_llm,
                force=force,
            )
        summary = RunSummary.model_validate(result)
        print_summary(summary, console)
        worst = max(worst, summary.exit_code if summary.draft else EXIT_NO_DRAFT)
    return worst


@contextmanager
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

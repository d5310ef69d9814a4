"""The ``digest`` command line: run the pipeline, lint drafts, look after sources and drafts.

Errors become one ``Error: …`` line and a non-zero exit; ``--debug`` shows tracebacks.
Prefect is imported only by the commands that run a flow (it takes seconds to import).
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from pipeline.config import Settings, load_settings
from pipeline.errors import DigestError
from pipeline.review_cli import review
from pipeline.sources_cli import sources_app

app = typer.Typer(
    help="AI 日报: fetch AI news, cluster it into stories, have an LLM write the digest draft.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

console = Console()
err_console = Console(stderr=True)

FORMATS = ("daily", "weekly", "brief")
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: ./digest.toml if present)."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one ``Error:`` line and exit."""
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def setup_logging(debug: bool) -> None:
    """Configure logging for a command (the only place logging is configured).

    On a terminal, warnings print above the progress bars (rich); elsewhere (cron,
    CI) they are plain lines, with the progress of long stages as INFO lines.
    """
    level = logging.DEBUG if debug else logging.WARNING
    if err_console.is_terminal:
        handler: logging.Handler = RichHandler(
            console=err_console, show_path=False, show_time=False, markup=False
        )
        logging.basicConfig(level=level, format="%(name)s: %(message)s", handlers=[handler])
        return
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pipeline.progress").setLevel(logging.INFO)


def settings_from(config: Path | None, **flags: object) -> Settings:
    """Settings for a command: flag > env > config file > defaults."""
    overrides = {key: value for key, value in flags.items() if value is not None}
    try:
        return load_settings(config, env=os.environ, overrides=overrides)
    except DigestError as exc:
        fail(str(exc))


def parse_day(value: str, option: str) -> date:
    """A YYYY-MM-DD date, or a clear error."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-02-07, not {value!r}")


def default_day(settings: Settings) -> date:
    """Tomorrow in the configured zone: the nightly run writes the next day's digest."""
    return datetime.now(settings.tz).date() + timedelta(days=1)


def days_to_run(
    settings: Settings, day: str | None, start: str | None, end: str | None
) -> list[date]:
    """The dates a run covers: one date, a --from/--to range, or the default."""
    if start or end:
        if day:
            fail("use either --date or --from/--to, not both")
        if not (start and end):
            fail("a backfill needs both --from and --to")
        first, last = parse_day(start, "--from"), parse_day(end, "--to")
        if last < first:
            fail("--to is before --from")
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [parse_day(day, "--date") if day else default_day(settings)]


@app.command()
def run(
    day: Annotated[
        str | None, typer.Option("--date", help="Digest date YYYY-MM-DD (default: tomorrow).")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Backfill from this date.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Backfill up to this date.")] = None,
    config: ConfigOpt = None,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", help="Where drafts go (default: output).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="daily, weekly or brief.")] = "daily",
    offline: Annotated[
        bool, typer.Option("--offline", help="No network: rebuild from the archive.")
    ] = False,
    no_llm: Annotated[
        bool, typer.Option("--no-llm", help="Extractive draft, no LLM call.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an edited draft (a backup is kept).")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Run the pipeline and write the draft into output/<format>/<date>.md (+ .json record)."""
    from pipeline import runner  # Prefect and the LLM client are imported later, if needed

    with runner.Interrupts(err_console) as interrupts:  # Ctrl-C: seconds, one line, exit 130
        setup_logging(debug)
        if fmt not in FORMATS:
            fail(f"--format must be one of {', '.join(FORMATS)}")
        settings = settings_from(config, output_dir=str(output_dir) if output_dir else None)
        days = days_to_run(settings, day, start, end)
        try:
            code = runner.run_days(
                settings,
                days,
                fmt,
                offline=offline,
                no_llm=no_llm,
                force=force,
                config=config,
                console=console,
                debug=debug,
                interrupts=interrupts,
            )
        except DigestError as exc:
            if debug:
                raise
            fail(str(exc), code=2)
        except Exception as exc:  # a bug: one line for the user, the traceback with --debug
            if debug:
                raise
            fail(f"the run failed unexpectedly: {exc!r}; run again with --debug for details")
    raise typer.Exit(code)


@app.command()
def lint(
    file: Annotated[Path, typer.Argument(help="A digest Markdown file.")],
    reformat: Annotated[
        bool, typer.Option("--reformat", help="Print the re-rendered document.")
    ] = False,
) -> None:
    """Check a digest for format problems (exit 1 if any); --reformat prints it re-rendered."""
    from pipeline.lint import lint_text
    from pipeline.lint import reformat as reformat_text

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")
    if reformat:
        sys.stdout.write(reformat_text(text))
        return
    problems = lint_text(text)
    for problem in problems:
        console.print(
            f"{file}:{problem.line}: {problem.severity}: {problem.message}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    errors = [p for p in problems if p.severity == "error"]
    if not problems:
        console.print(f"{file}: ok", highlight=False)
    raise typer.Exit(1 if errors else 0)


app.command()(review)
app.add_typer(sources_app, name="sources")


@app.command()
def serve(
    config: ConfigOpt = None,
    port: Annotated[int, typer.Option(help="Port of the local Prefect server it starts.")] = 4200,
    debug: DebugOpt = False,
) -> None:
    """Run the nightly, weekly and brief digests on schedule (a local Prefect server if needed)."""
    setup_logging(debug)
    settings = settings_from(config)
    try:
        with err_console.status("Starting Prefect and registering the schedules…"):
            from pipeline import runner, schedule  # lazy: imports Prefect

            runner.preflight(settings, offline=False, no_llm=False)
        schedule.serve(settings, config, port=port, on_ready=announce)
    except DigestError as exc:
        fail(str(exc))
    err_console.print("Stopped: runs in flight were cancelled; schedules are paused until restart.")


def announce(api_url: str, deployments: list[Any]) -> None:
    """What `digest serve` runs, and how to stop it."""
    ui = api_url.removesuffix("/api")
    err_console.print(f"Serving on the Prefect server at [bold]{escape(ui)}[/]:", highlight=False)
    for deployment in deployments:
        [when] = deployment.schedules
        cron = when.schedule
        err_console.print(
            f"  {deployment.flow_name}/{deployment.name}: {cron.cron} ({cron.timezone})",
            highlight=False,
        )
    err_console.print("Ctrl-C or SIGTERM stops it (runs in flight end Cancelled).")


if __name__ == "__main__":
    app()

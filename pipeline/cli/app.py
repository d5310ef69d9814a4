"""The ``digest`` command line: run the pipeline, lint drafts, look after sources and drafts.

Errors become one ``Error: …`` line and a non-zero exit; ``--debug`` shows tracebacks.
Prefect is imported only by the commands that run a flow (it takes seconds to import).
"""

from __future__ import annotations

import logging
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.logging import RichHandler
from rich.markup import escape

from pipeline.cli.common import (
    ConfigOpt,
    DebugOpt,
    console,
    err_console,
    fail,
    settings_from,
)
from pipeline.cli.review import review
from pipeline.cli.sources import sources_app
from pipeline.errors import DigestError, MissingAPIKeyError
from pipeline.progress import FailureFilter
from pipeline.text.redact import install_log_redaction

if TYPE_CHECKING:  # settings (pydantic-settings) load when a command runs, not for --help
    from pipeline.config import PublicationSettings, Settings

app = typer.Typer(
    help="AI 日报: fetch AI news, cluster it into stories, have an LLM write the digest draft.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# The oldest digest date accepted: older dates have no news to archive (and date
# arithmetic near year 1 overflows).
# Each date of a backfill is a whole run (minutes, LLM calls, cost): a typo in a year
# must not queue thousands of them.
MAX_BACKFILL_DAYS = 31
NO_LLM_HINT = "; or add --no-llm for an extractive draft without any LLM call"


def setup_logging(debug: bool) -> None:
    """Configure logging for a command (the only place logging is configured).

    On a terminal, warnings print above the progress bars (rich); elsewhere (cron,
    CI) they are plain lines, with the progress of long stages as INFO lines.
    """
    install_log_redaction()  # before any handler: no secret reaches a log line
    level = logging.DEBUG if debug else logging.WARNING
    if err_console.is_terminal:
        handler: logging.Handler = RichHandler(
            console=err_console, show_path=False, show_time=False, markup=False
        )
        logging.basicConfig(level=level, format="%(name)s: %(message)s", handlers=[handler])
    else:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("pipeline.progress").setLevel(logging.INFO)
    if not debug:  # recorded failures are listed once, in the run's report
        for installed in logging.getLogger().handlers:
            if not any(isinstance(f, FailureFilter) for f in installed.filters):
                installed.addFilter(FailureFilter())


def parse_day(value: str, option: str) -> date:
    """A YYYY-MM-DD date, or a clear error."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-02-07, not {value!r}")


def default_day(settings: Settings) -> date:
    """Tomorrow in the configured zone: the nightly run writes the next day's digest."""
    from pipeline.formats.daily import resolve_day

    return resolve_day(None, settings.tz)


def checked_day(value: str, option: str, settings: Settings) -> date:
    """A digest date the pipeline can write: from 2000-01-01 to tomorrow."""
    from pipeline.formats.daily import EARLIEST_DAY

    day = parse_day(value, option)
    if day < EARLIEST_DAY:
        fail(f"{option} {day} is before {EARLIEST_DAY}: no news archive reaches back that far")
    latest = default_day(settings)
    if day > latest:
        fail(
            f"{option} {day} is after tomorrow ({latest}): a digest covers the day before "
            "its date, and that day has not happened yet"
        )
    return day


def days_to_run(
    settings: Settings, day: str | None, start: str | None, end: str | None
) -> list[date]:
    """The dates a run covers: one date, a --from/--to range (at most 31 dates), or tomorrow."""
    if start or end:
        if day:
            fail("use either --date or --from/--to, not both")
        if not (start and end):
            fail("a backfill needs both --from and --to")
        first, last = checked_day(start, "--from", settings), checked_day(end, "--to", settings)
        if last < first:
            fail("--to is before --from")
        count = (last - first).days + 1
        if count > MAX_BACKFILL_DAYS:
            fail(
                f"a backfill covers at most {MAX_BACKFILL_DAYS} dates, not {count}: each date "
                "is a whole run with its own LLM calls; split it into several backfills"
            )
        return [first + timedelta(days=i) for i in range(count)]
    return [checked_day(day, "--date", settings) if day else default_day(settings)]


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
    from pipeline.flows import runner  # Prefect and the LLM client are imported later, if needed

    with runner.Interrupts(err_console) as interrupts:  # Ctrl-C: seconds, one line, exit 130
        setup_logging(debug)
        from pipeline.formats import FORMATS  # the registry: the one list of formats

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
            hint = NO_LLM_HINT if isinstance(exc, MissingAPIKeyError) else ""
            fail(f"{exc}{hint}", code=2)
        except Exception as exc:  # a bug: one line for the user, the traceback with --debug
            if debug:
                raise
            fail(f"the run failed unexpectedly: {exc!r}; run again with --debug for details")
    raise typer.Exit(code)


@app.command()
def lint(
    files: Annotated[list[Path], typer.Argument(help="Digest Markdown files.")],
    reformat: Annotated[
        bool, typer.Option("--reformat", help="Print the re-rendered document (one file).")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Check digests for format problems (exit 1 if any); --reformat prints one re-rendered."""
    from pipeline.markdown.lint import reformat as reformat_text

    if reformat:
        if len(files) != 1:
            fail(f"--reformat takes one file, not {len(files)}")
        sys.stdout.write(reformat_text(read_draft(files[0])))
        return
    publication = settings_from(config).publication
    codes = [lint_file(path, publication) for path in files]
    if len(files) > 1:
        flagged = sum(code == 1 for code in codes)
        unreadable = sum(code == 2 for code in codes)
        console.print(
            f"{len(files)} files: {len(files) - flagged - unreadable} ok, {flagged} with "
            f"errors, {unreadable} unreadable",
            highlight=False,
        )
    raise typer.Exit(max(codes))


def read_draft(path: Path) -> str:
    """A draft's text, or one ``Error:`` line and exit 2."""
    text = try_read(path)
    if text is None:
        raise typer.Exit(2)
    return text


def try_read(path: Path) -> str | None:
    """A draft's text; None (with an ``Error:`` line) when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err_console.print(f"[bold red]Error:[/] cannot read {escape(str(path))}: {escape(reason)}")
        return None


def lint_file(path: Path, publication: PublicationSettings) -> int:
    """Print one file's problems (``path:line: severity: message``); 0 ok, 1 errors, 2 unread."""
    from pipeline.markdown.lint import lint_text

    text = try_read(path)
    if text is None:
        return 2
    problems = lint_text(text, publication=publication)
    for problem in problems:
        console.print(
            f"{path}:{problem.line}: {problem.severity}: {problem.message}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if not problems:
        console.print(f"{path}: ok", markup=False, highlight=False)
    return 1 if any(p.severity == "error" for p in problems) else 0


@app.command()
def cover(
    file: Annotated[Path, typer.Argument(help="A daily draft.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="PNG to write (default: img/<stem>.png).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an image an editor put.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Draw a draft's cover image from its title and stories as they are now (after editing)."""
    from pipeline.publish.covers import cover_url, redraw_cover

    publication = settings_from(config).publication
    try:
        png = redraw_cover(file, publication, png=output, force=force)
    except (DigestError, OSError, UnicodeDecodeError) as exc:
        fail(str(exc))
    console.print(f"wrote {png}", markup=False, highlight=False)
    if publication.image_base and output is None:
        url = cover_url(publication, file.parent.name, file.stem)
        console.print(f'coverImage: "{url}"', markup=False, highlight=False)


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
            from pipeline.flows import schedule  # lazy: imports Prefect
            from pipeline.flows.preflight import preflight

            preflight(settings, offline=False, no_llm=False)
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

"""``digest review``: the drafts in output/<format>/ with their state, and editors' changes."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer
from rich.table import Table
from rich.text import Text

from pipeline.cli.common import console, fail
from pipeline.errors import DigestError

if TYPE_CHECKING:  # the review module (lint, render, Jinja2) loads only when a command runs
    from pipeline.config import Settings
    from pipeline.review.drafts import DraftReview

DIFF_STYLES = {"+": "green", "-": "red", "@": "cyan"}
DIFF_HELP = "Show editors' changes to the generated text."
SERVE_HELP = "Open the review page: a local web app on 127.0.0.1 (Ctrl-C stops it)."
PORT_HELP = "Port of the review page (0: any free port)."
DEFAULT_PORT = 8788
OUTPUT_HELP = "Where the drafts are (default: output)."


def review(
    day: Annotated[str | None, typer.Argument(help="Only this date's draft (YYYY-MM-DD).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="daily, weekly or brief.")] = "daily",
    diff: Annotated[bool, typer.Option("--diff", help=DIFF_HELP)] = False,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help=OUTPUT_HELP)] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Config file.")] = None,
    serve: Annotated[bool, typer.Option("--serve", help=SERVE_HELP)] = False,
    port: Annotated[int, typer.Option("--port", help=PORT_HELP)] = DEFAULT_PORT,
) -> None:
    """List drafts with their state and counts; --diff shows edits, --serve opens the page."""
    from pipeline.markdown.document import Format as DocumentKind

    shapes = get_args(DocumentKind)  # the document shapes the review page reads
    if fmt not in shapes:
        fail(f"--format must be one of {', '.join(shapes)}")
    if day is not None:
        _check_day(day)
    if serve and diff:
        fail("--diff prints to the terminal; the page shows edits itself: use one of them")
    from pipeline.config import load_settings

    try:
        overrides = {"output_dir": str(output_dir)} if output_dir else {}
        settings = load_settings(config, env=os.environ, overrides=overrides)
    except DigestError as exc:
        fail(str(exc))
    if serve:
        serve_page(settings, fmt, day, port)
        return
    from pipeline.review.drafts import NO_DRAFT, review_drafts

    reviews = review_drafts(settings.output_dir, fmt, day, settings.publication)
    if not reviews:
        where = settings.output_dir / fmt
        console.print(f"no {fmt} draft{' for ' + day if day else ''} in {where}", highlight=False)
        return
    console.print(review_table(reviews, fmt))
    for item in reviews:
        if item.state == NO_DRAFT:
            line = f"{item.stem}: no draft: {item.reason} (record: {item.record})"
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    if diff:
        for item in reviews:
            if item.state != NO_DRAFT:
                print_diff(item)


def serve_page(settings: Settings, fmt: str, day: str | None, port: int) -> None:
    """Serve the review page until Ctrl-C; the link printed carries the session's token."""
    from pipeline.review.web.pages import Site  # lazy: the web stack is only for --serve
    from pipeline.review.web.server import ReviewServer

    site = Site(
        output_dir=settings.output_dir,
        data_dir=settings.data_dir,
        templates_dir=settings.templates_dir,
        tz_name=settings.timezone,
        publication=settings.publication,
    )
    try:
        server = ReviewServer(site, start=start_path(fmt, day), port=port)
    except DigestError as exc:
        fail(str(exc))
    console.print(
        f"Review page for {settings.output_dir / fmt} (this machine only; Ctrl-C stops it):"
    )
    console.print(server.url, highlight=False, soft_wrap=True)
    server.run()


def start_path(fmt: str, day: str | None) -> str:
    """The page the printed link opens: the date's draft (a weekly's by its week), or the list."""
    if day is None:
        return f"/{fmt}/"
    if fmt == "weekly":
        from pipeline.formats.weekly import week_stem

        return f"/weekly/{week_stem(date.fromisoformat(day))}"
    return f"/{fmt}/{day}"


def review_table(reviews: list[DraftReview], fmt: str) -> Table:
    """The review table: one row per draft."""
    from pipeline.review.drafts import NO_DRAFT

    table = Table(title=f"{fmt} drafts")
    for column in ("draft", "state", "lint", "unverified", "degraded", "failed", "reruns"):
        left = column in ("draft", "state", "reruns")
        table.add_column(column, justify="left" if left else "right", no_wrap=column == "draft")
    for item in reviews:
        table.add_row(
            item.markdown.name if item.state != NO_DRAFT else item.record.name,
            Text(item.label, style=_state_style(item)),
            str(item.lint_errors),
            str(item.unsupported),
            str(item.degraded),
            str(item.failures),
            ", ".join(p.name for p in item.reruns) or "—",
        )
    return table


def print_diff(item: DraftReview) -> None:
    """The editor's changes to one draft, coloured like git's."""
    from pipeline.review.drafts import NOT_KEPT, editor_diff

    lines = editor_diff(item)
    console.print(Text(f"\n{item.markdown}", style="bold"), soft_wrap=True)
    if lines is None:
        console.print(f"  {NOT_KEPT}", highlight=False)
    elif not lines:
        console.print("  no changes since it was generated", highlight=False)
    for line in lines or []:
        console.print(Text(line, style=DIFF_STYLES.get(line[:1], "")), soft_wrap=True)


def _state_style(item: DraftReview) -> str:
    from pipeline.review.drafts import NO_DRAFT

    if item.flagged or item.state == NO_DRAFT:
        return "red"
    return "yellow" if item.state == "edited" else "green"


def _check_day(value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        fail(f"DATE must be a date like 2026-02-07, not {value!r}")

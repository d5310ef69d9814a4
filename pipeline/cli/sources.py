"""``digest sources``: list, check, import and export the configured feeds.

Mounted by ``pipeline.cli.app`` with ``app.add_typer(sources_app, name="sources")``. That
module imports this one at top level, so its helpers are imported lazily here.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.cli.common import ConfigOpt, fail, settings_from
from pipeline.errors import ConfigError
from pipeline.text.redact import redact_text, redact_url

if TYPE_CHECKING:  # settings, models and URL rules load when a command runs, not for --help
    from pipeline.config import Settings
    from pipeline.models import Source
    from pipeline.store.archive import SourceHealth

sources_app = typer.Typer(help="Inspect, import and export the feed sources.", no_args_is_help=True)

ARCHIVE_FILE = "archive.sqlite3"
TIME_FORMAT = "%Y-%m-%d %H:%M"
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def out() -> Console:
    """A console on the current stdout, sized at call time (COLUMNS is honoured)."""
    return Console(highlight=False)


# --- list ------------------------------------------------------------------------------


@sources_app.command("list")
def list_sources(config: ConfigOpt = None) -> None:
    """Show the configured sources: name, language, weight and feed URL."""
    settings = settings_from(config)
    table = Table("name", "lang", "weight", "url", title=f"{len(settings.sources)} sources")
    for source in settings.sources:
        table.add_row(
            escape(source.name), source.lang, f"{source.weight:g}", escape(redact_url(source.url))
        )
    console = out()
    console.print(table)
    if not configured_sources(config_path(config)):
        console.print("(the built-in list: digest.toml names no [[sources]])", markup=False)


# --- check -----------------------------------------------------------------------------


@sources_app.command("check")
def check(
    config: ConfigOpt = None,
    stale_days: Annotated[
        int, typer.Option("--stale-days", min=1, help="Flag a source with nothing new for N days.")
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the health as JSON.")] = False,
) -> None:
    """Show each source's health from the archive; exit 1 if any is failing or stale.

    Reads the archive only (no network). FAILING: the last run could not fetch or
    parse the feed. STALE: it answers but gave nothing new for --stale-days days.
    NEVER RUN: no run has fetched it yet (not an error). A table on a terminal, one
    plain line per feed otherwise (cron mail), JSON with --json.
    """
    settings = settings_from(config)
    now = datetime.now(settings.tz)
    health = read_health(settings.data_dir / ARCHIVE_FILE, now, stale_days)
    statuses = {s.name: status_of(health.get(s.name)) for s in settings.sources}
    counts = {key: list(statuses.values()).count(key) for key in ("FAILING", "STALE", "NEVER RUN")}
    console = out()
    if as_json:
        sys.stdout.write(health_json(settings, health, statuses, counts, stale_days) + "\n")
    elif console.is_terminal:
        print_health_table(console, settings, health, statuses, stale_days)
    else:
        for source in settings.sources:
            h, status = health.get(source.name), statuses[source.name]
            line = plain_line(source, h, status, settings, stale_days)
            console.print(line, markup=False, soft_wrap=True)
    if not as_json:
        console.print(", ".join(f"{n} {key.lower()}" for key, n in counts.items()), soft_wrap=True)
    raise typer.Exit(1 if counts["FAILING"] or counts["STALE"] else 0)


def print_health_table(
    console: Console,
    settings: Settings,
    health: dict[str, SourceHealth],
    statuses: dict[str, str],
    stale_days: int,
) -> None:
    """The health table, then a plain line per failing or stale source."""
    console.print(health_table(settings, health, statuses))
    for source in settings.sources:
        line = problem_line(source, health.get(source.name), statuses[source.name], stale_days)
        if line:
            console.print(line, markup=False, soft_wrap=True)


def read_health(path: Path, now: datetime, stale_days: int) -> dict[str, SourceHealth]:
    """Source health by name from the archive; empty if there is no archive yet."""
    from pipeline.store.archive import Archive

    if not path.is_file():
        return {}
    with Archive(path) as archive:
        return {h.source: h for h in archive.source_health(now, stale_days)}


def status_of(health: SourceHealth | None) -> str:
    """FAILING, STALE, NEVER RUN or ok."""
    if health is None:
        return "NEVER RUN"
    if health.last_error is not None:
        return "FAILING"
    return "STALE" if health.stale else "ok"


def health_table(
    settings: Settings, health: dict[str, SourceHealth], statuses: dict[str, str]
) -> Table:
    """One row per configured source."""
    table = Table(
        "source",
        "status",
        "last run",
        "last success",
        "last new",
        "items/new",
        "fails",
        "last error",
        title=f"Source health ({len(settings.sources)} sources)",
    )
    style = {"FAILING": "bold red", "STALE": "yellow", "NEVER RUN": "cyan", "ok": "green"}
    for source in settings.sources:
        h, status = health.get(source.name), statuses[source.name]
        cells = health_cells(h, settings) if h else ["—"] * 6
        table.add_row(escape(source.name), f"[{style[status]}]{status}[/]", *map(escape, cells))
    return table


def health_cells(h: SourceHealth, settings: Settings) -> list[str]:
    """The cells after name and status."""
    return [
        when(h.last_run, settings),
        when(h.last_success, settings),
        when(h.last_new, settings),
        f"{h.items_seen}/{h.new_articles}",
        str(h.consecutive_failures),
        redact_text(h.last_error or ""),
    ]


def when(moment: datetime | None, settings: Settings) -> str:
    return moment.astimezone(settings.tz).strftime(TIME_FORMAT) if moment else "never"


def problem_line(source: Source, h: SourceHealth | None, status: str, stale_days: int) -> str:
    """A plain line for a failing or stale source (readable in a cron mail), else ''."""
    if h is None or status == "ok":
        return ""
    if status == "FAILING":
        runs = f"{h.consecutive_failures} run{'s' if h.consecutive_failures != 1 else ''}"
        error = redact_text(h.last_error or "")
        return one_line(f"FAILING {source.name} ({redact_url(source.url)}): {error} [{runs}]")
    url = redact_url(source.url)
    return one_line(f"STALE {source.name} ({url}): answers, nothing new for {stale_days}+ days")


def plain_line(
    source: Source, h: SourceHealth | None, status: str, settings: Settings, stale_days: int
) -> str:
    """One line per feed, whatever its state (the output when not on a terminal)."""
    if h is None:
        return one_line(
            f"NEVER RUN {source.name} ({redact_url(source.url)}): no run has fetched it yet"
        )
    seen = f"last success {when(h.last_success, settings)}, last new {when(h.last_new, settings)}"
    if status != "ok":
        return f"{problem_line(source, h, status, stale_days)}; {seen}"
    counts = f"{h.items_seen}/{h.new_articles} items/new at {when(h.last_run, settings)}"
    return one_line(f"ok {source.name} ({redact_url(source.url)}): {counts}; {seen}")


def one_line(text: str) -> str:
    """text with line breaks and other control characters made spaces."""
    return CONTROL_RE.sub(" ", text)


def health_json(
    settings: Settings,
    health: dict[str, SourceHealth],
    statuses: dict[str, str],
    counts: dict[str, int],
    stale_days: int,
) -> str:
    """The health of every source as a JSON document (UTF-8, times in ISO 8601)."""
    rows = []
    for source in settings.sources:
        h = health.get(source.name)
        url = redact_url(source.url)  # a private feed's token is not for terminals or monitoring
        row: dict[str, Any] = {"name": source.name, "url": url, "lang": source.lang}
        row["status"] = statuses[source.name]
        if h is not None:
            row.update(h.model_dump(mode="json", exclude={"source", "url", "stale"}))
            row["last_error"] = redact_text(h.last_error) if h.last_error else h.last_error
        rows.append(row)
    summary = {key.lower().replace(" ", "_"): n for key, n in counts.items()}
    document = {"stale_days": stale_days, "counts": summary, "sources": rows}
    return json.dumps(document, ensure_ascii=False, indent=2)


# --- import ----------------------------------------------------------------------------


@sources_app.command("import")
def import_opml(
    file: Annotated[Path, typer.Argument(help="An OPML file from a feed reader.")],
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Config file to add to (default: ./digest.toml)."),
    ] = None,
    keep_defaults: Annotated[
        bool,
        typer.Option(
            "--keep-defaults",
            help="If the file names no sources yet, "
            "write the built-in list first so it stays in use.",
        ),
    ] = False,
) -> None:
    r"""Add an OPML file's feeds to digest.toml as \[\[sources]] blocks (created if missing).

    The blocks are appended as text, so comments in the file survive; feeds whose URL
    is already configured are skipped. lang comes from the outline's language
    attribute, else from Chinese characters in its title. Note: while digest.toml
    names no \[\[sources]], the built-in list is used; once it names any, only those
    are. So importing into such a file replaces the built-in list, unless you pass
    --keep-defaults, which writes the built-in sources into the file first.
    """
    path = config_path(config)
    opml = read_opml(file)
    current = configured_sources(path)
    base = builtin_sources() if keep_defaults and not current else []
    added, skipped = split_new(current, [*base, *opml])
    append_sources(path, added, origin=file.name)
    console = out()
    for source in added:
        console.print(
            f"added   {source.name} ({source.lang}) {redact_url(source.url)}", markup=False
        )
    for source in skipped:
        console.print(
            f"skipped {source.name}: already configured ({redact_url(source.url)})", markup=False
        )
    console.print(f"{len(added)} added, {len(skipped)} skipped → {path}", markup=False)
    if not current and added and not keep_defaults:
        console.print(
            f"Note: {path.name} now names its sources, so the built-in list no "
            "longer applies (use --keep-defaults to keep it).",
            markup=False,
        )


def config_path(config: Path | None) -> Path:
    """The config file a command reads or writes: the given one, else ./digest.toml."""
    from pipeline.config import DEFAULT_CONFIG_NAME

    return config if config is not None else Path.cwd() / DEFAULT_CONFIG_NAME


def read_opml(file: Path) -> list[Source]:
    """The feeds of an OPML file, or one clear error."""
    try:
        from pipeline.ingest.feeds import parse_opml  # lazy: feedparser is slow to import

        return parse_opml(file.read_bytes())
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    except ConfigError as exc:
        fail(f"{file}: {exc}")


def read_config(path: Path) -> dict[str, Any]:
    """The TOML of a config file; empty if it does not exist."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        fail(f"cannot read config {path}: {exc}")
    except RecursionError:
        fail(f"cannot read config {path}: it is nested too deeply")


def configured_sources(path: Path) -> list[dict[str, Any]]:
    """The [[sources]] tables the config file itself names (not the built-in list)."""
    sources = read_config(path).get("sources", [])
    return [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []


def builtin_sources() -> list[Source]:
    """The shipped default source list."""
    from pipeline.config import builtin_defaults
    from pipeline.models import Source

    return [Source(**s) for s in builtin_defaults().get("sources", [])]


def split_new(
    current: list[dict[str, Any]], candidates: list[Source]
) -> tuple[list[Source], list[Source]]:
    """Candidates whose canonical URL is not configured yet (first one wins), and the rest."""
    from pipeline.ingest.urls import canonicalize_url

    seen = {canonicalize_url(str(s.get("url", ""))) for s in current}
    added: list[Source] = []
    skipped: list[Source] = []
    for source in candidates:
        key = canonicalize_url(source.url)
        (skipped if key in seen else added).append(source)
        seen.add(key)
    return added, skipped


def append_sources(path: Path, sources: list[Source], *, origin: str) -> None:
    """Append [[sources]] blocks to the file as text, refusing to write invalid TOML."""
    from pipeline.store.files import atomic_write

    if not sources:
        return
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    blocks = "\n".join(source_block(s) for s in sources)
    separator = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    new = f"{old}{separator}# imported from {origin}\n{blocks}"
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        fail(f"cannot add [[sources]] to {path} ({exc}); is 'sources' defined inline there?")
    try:
        atomic_write(path, new)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


def source_block(source: Source) -> str:
    """One [[sources]] table as TOML text (JSON string escapes are valid TOML)."""
    lines = [
        "[[sources]]",
        f"name = {toml_string(source.name)}",
        f"url = {toml_string(source.url)}",
        f'lang = "{source.lang}"',
    ]
    if source.weight != 1.0:
        lines.append(f"weight = {source.weight!r}")
    return "\n".join(lines) + "\n"


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes, plus DEL, which TOML forbids raw."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


# --- export ----------------------------------------------------------------------------


@sources_app.command("export")
def export(
    config: ConfigOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Write the configured sources as OPML 2.0, for a feed reader or another install."""
    from pipeline.store.files import atomic_write

    settings = settings_from(config)
    from pipeline.ingest.feeds import export_opml  # lazy: feedparser is slow to import

    document = export_opml(settings.sources)
    if output is None:
        sys.stdout.write(document)
        return
    try:
        atomic_write(output, document)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    out().print(f"wrote {len(settings.sources)} sources to {output}", markup=False)

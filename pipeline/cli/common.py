"""What every ``digest`` command shares: the consoles, the one ``fail``, the config option.

Settings (pydantic-settings) load inside a command, never at import: ``digest --help``
stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.errors import DigestError
from pipeline.text.redact import redact_text

if TYPE_CHECKING:
    from pipeline.config import Settings

console = Console()
err_console = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: ./digest.toml if present)."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one ``Error:`` line (secrets masked) and exit."""
    shown = escape(redact_text(message))
    err_console.print(f"[bold red]Error:[/] {shown}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_from(config: Path | None, **flags: object) -> Settings:
    """Settings for a command: flag > env > config file > defaults."""
    from pipeline.config import load_settings

    overrides = {key: value for key, value in flags.items() if value is not None}
    try:
        return load_settings(config, env=os.environ, overrides=overrides)
    except DigestError as exc:
        fail(str(exc))

"""The output formats, one entry each: the only list of them in the pipeline.

A :class:`Format` says everything the one flow body (:func:`pipeline.flows.run.run_digest`)
needs to know about a format: its window of articles, its file stem, how its stories are
clustered, whether it remembers earlier digests and asks the LLM about relevance, how it
is written, and how the written text becomes a checked, rendered draft and its record.
Adding a format means adding an entry here (:func:`register`) and a template.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.config import Settings
from pipeline.llm.client import Cache
from pipeline.markdown.document import Format as DocumentKind
from pipeline.models import (
    Article,
    ClusterResult,
    IngestReport,
    RenderedDraft,
    Story,
    Target,
    Written,
)

Window = tuple[datetime, datetime]
WriteFn = Callable[[list[Story], Settings, date, bool, Cache], Coroutine[Any, Any, Written]]


@dataclass(frozen=True)
class Composition:
    """What a format's ``compose`` works from: the run's stories, writing and target file."""

    day: date
    settings: Settings
    clusters: ClusterResult
    written: Written
    report: IngestReport
    articles: list[Article]
    target: Target


@dataclass(frozen=True)
class Format:
    """One output format: its window, file, stories settings, writer and draft."""

    name: str  # the folder under output/, the run lock's and the record's format
    window: Callable[[date, ZoneInfo], Window]
    stem: Callable[[date], str]  # the draft's file name without .md
    stories: Callable[[Settings], Settings]  # the settings its stories are clustered with
    write: WriteFn  # the write stage: the LLM's text (or extractive), never raises
    compose: Callable[[Composition], RenderedDraft]  # check + render + record
    remembers: bool = True  # leave out stories an earlier digest of this format carried
    judges: bool = True  # ask the LLM about articles the relevance rules do not accept
    document: DocumentKind | None = None  # the Markdown shape lint holds it to (None: detect)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add (or replace) a format in the registry; returns it."""
    FORMATS[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    """The registered format called ``name``; KeyError names the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}: one of {', '.join(FORMATS)}") from None

"""What a run leaves: the draft's provenance record, where it went, and the run's summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.models.articles import Dropped, Failure, Frozen
from pipeline.models.stories import CoveredStory, Placement

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_NO_DRAFT = 0, 1, 2


class RecordArticle(Frozen):
    url: str
    title: str
    source: str


class RecordFact(Frozen):
    """A fact or impact line of a story and the URLs of the articles it cites."""

    label: str
    sources: list[str] = Field(default_factory=list)


class RecordStory(Frozen):
    id: str
    title: str
    section: str
    placement: Placement
    articles: list[RecordArticle]
    unsupported: list[str] = Field(default_factory=list)
    degraded: bool = False
    repairs: list[str] = Field(default_factory=list)
    follow_up_of: str | None = None
    facts: list[RecordFact] = Field(default_factory=list)  # in draft order (review page)


class RunRecord(BaseModel):
    """``output/<format>/<date>.json``: the draft's provenance record."""

    date: date
    format: str
    stories: list[RecordStory] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    # articles whose text is not the page's full extraction, and why (url → note)
    notes: dict[str, str] = Field(default_factory=dict)
    stats: dict[str, float | int | str] = Field(default_factory=dict)
    markdown_sha256: str = ""
    draft: str = ""  # path of the Markdown written
    no_draft: str = ""  # why no draft was written (a run that found no story)


class Target(BaseModel):
    """Where a run writes its draft and record, and what it did to get there."""

    markdown: Path
    record: Path
    note: str | None = None
    backup: Path | None = None


class RenderedDraft(BaseModel):
    """A format's draft ready to publish: its Markdown, its record, the stories it covers."""

    markdown: str
    record: RunRecord
    covered: list[CoveredStory] = Field(default_factory=list)  # for the no-repeat memory
    note: str | None = None  # what an editor should know (e.g. a kept cover)


class RunSummary(BaseModel):
    """What a run did, for the terminal, the Prefect artifact and the exit code."""

    date: date
    format: str
    draft: str | None = None
    record: str | None = None
    note: str | None = None
    exit_code: int = EXIT_CLEAN
    stats: dict[str, float | int | str] = Field(default_factory=dict)
    dropped: dict[str, int] = Field(default_factory=dict)
    failures: list[Failure] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)

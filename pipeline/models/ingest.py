"""What ingestion hands on: each feed's outcome, each page batch's, and the run's counters."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.models.articles import Article, Failure, FeedEntry, Source


class FeedOutcome(BaseModel):
    """What one feed gave this run."""

    source: Source
    entries: list[FeedEntry] = Field(default_factory=list)
    status: int | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    warning: str | None = None
    damaged: bool = False  # not well-formed XML: entries were salvaged, some may be missing
    rejected: dict[str, str] = Field(default_factory=dict)  # entry link → why it was refused
    error: str | None = None


class PageOutcome(BaseModel):
    """What a batch of article pages gave: articles, failures and fallback notes."""

    articles: list[Article] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)  # url → note (e.g. used feed text)
    fetched: int = 0


class IngestReport(BaseModel):
    """Counters of the ingestion steps, for the run summary."""

    feeds_ok: int = 0
    feeds_failed: int = 0
    feeds_not_modified: int = 0
    entries_seen: int = 0
    pages_fetched: int = 0
    articles_new: int = 0
    failures: list[Failure] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)  # url → extraction note

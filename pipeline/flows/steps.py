"""The flow's plain steps around the archive: what the flow process does between tasks.

Tasks (in worker threads or processes) fetch, extract and write; these functions
read and update the archive, which only the flow process touches (assembling the
draft and its record is ``assemble``'s). No Prefect here: each step is testable alone.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline import progress
from pipeline.ingest.gather import FeedOutcome, PageOutcome, wants_page
from pipeline.models import Article, Dropped, Failure, FeedEntry, PublishedStory, Source
from pipeline.publish.memory import published_stories
from pipeline.store.archive import Archive, FeedState, SourceRun

log = logging.getLogger(__name__)
SOURCE_CHARS = 1500  # of each source article, kept to recognise a later repost

PUBLISHED_LOOKBACK_DAYS = 30  # the stories stage's memory (cluster.MEMORY_DAYS)


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


def feed_states(
    archive: Archive, sources: list[Source]
) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified of each feed, for conditional requests."""
    states = {}
    for source in sources:
        state = archive.get_feed_state(source.url)
        if state is not None:
            states[source.url] = (state.etag, state.last_modified)
    return states


def absorb_feeds(
    archive: Archive, outcomes: list[FeedOutcome], report: IngestReport, now: datetime
) -> list[FeedEntry]:
    """Store feed entries, feed state and source health; return every entry seen."""
    entries: list[FeedEntry] = []
    for outcome in outcomes:
        urls = [e.url for e in outcome.entries]
        new = len(set(urls) - archive.known_urls(urls))
        _save_feed_state(archive, outcome, now, has_new=new > 0)
        archive.record_source_run(
            SourceRun(
                source=outcome.source.name,
                url=outcome.source.url,
                run_at=now,
                items_seen=len(outcome.entries),
                new_articles=new,
                failures=1 if outcome.error else 0,
                error=outcome.error,
                status=outcome.status,
            )
        )
        _count_feed(outcome, report)
        archive.put_entries(outcome.entries, now)
        entries.extend(outcome.entries)
    report.entries_seen += len(entries)
    return entries


def _count_feed(outcome: FeedOutcome, report: IngestReport) -> None:
    if outcome.error:
        report.feeds_failed += 1
        report.failures.append(Failure(url=outcome.source.url, stage="feed", error=outcome.error))
        return
    report.feeds_ok += 1
    report.feeds_not_modified += int(outcome.not_modified)
    if outcome.warning:  # recorded below when entries may be lost: listed once, at the end
        extra = progress.failure("feeds") if outcome.damaged else None
        log.warning("feed %s: %s", outcome.source.name, outcome.warning, extra=extra)
    if outcome.damaged:  # salvaged: the editor should know entries may be missing
        error = f"{outcome.warning}; kept {len(outcome.entries)} entries, others may be lost"
        report.failures.append(Failure(url=outcome.source.url, stage="feed", error=error))
    for link, reason in outcome.rejected.items():
        error = f"entry link refused in feed {outcome.source.name}: {reason}"
        report.failures.append(Failure(url=link, stage="feed", error=error))


def _save_feed_state(
    archive: Archive, outcome: FeedOutcome, now: datetime, *, has_new: bool
) -> None:
    old = archive.get_feed_state(outcome.source.url)
    ok = outcome.error is None
    archive.save_feed_state(
        FeedState(
            url=outcome.source.url,
            etag=outcome.etag if ok else (old.etag if old else None),
            last_modified=outcome.last_modified if ok else (old.last_modified if old else None),
            last_status=outcome.status,
            last_success=now if ok else (old.last_success if old else None),
            last_new=now if has_new else (old.last_new if old else None),
        )
    )


def pages_to_fetch(
    archive: Archive, seen: list[FeedEntry], window: tuple[datetime, datetime]
) -> list[FeedEntry]:
    """Entries of the window (seen now or archived earlier) whose article is not archived."""
    archived = archive.entries_between(window[0], window[1])
    candidates = {e.url: e for e in archived}
    candidates.update({e.url: e for e in seen if wants_page(e, window)})
    missing = set(candidates) - archive.known_urls(list(candidates))
    return [candidates[url] for url in sorted(missing)]


def absorb_pages(archive: Archive, outcome: PageOutcome, report: IngestReport) -> None:
    """Store the articles of a page batch and count what happened."""
    for article in outcome.articles:
        archive.put_article(article)
    report.pages_fetched += outcome.fetched
    report.articles_new += len(outcome.articles)
    report.notes.update(outcome.notes)
    report.failures.extend(outcome.failures)


def window_articles(archive: Archive, window: tuple[datetime, datetime]) -> list[Article]:
    """The archived articles published inside the window."""
    return archive.articles_between(window[0], window[1])


def published_before(
    archive: Archive, output_dir: Path, fmt: str, day: date
) -> list[PublishedStory]:
    """Stories of the last 30 days' digests: from the archive and from the drafts on disk.

    Drafts on disk count as published in the form the editor left them, so a story an
    editor added by hand is not repeated either. Each story carries the text of its
    archived source articles, so that a later verbatim repost is recognised.
    """
    start = day - timedelta(days=PUBLISHED_LOOKBACK_DAYS)
    stories = archive.published_between(start, day - timedelta(days=1), format=fmt)
    for offset in range(1, PUBLISHED_LOOKBACK_DAYS + 1):
        when = day - timedelta(days=offset)
        path = output_dir / fmt / f"{when}.md"
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            stories.extend(published_stories(text, fmt, default_date=when))
    return [with_sources(archive, s) for s in stories]


def with_sources(archive: Archive, story: PublishedStory) -> PublishedStory:
    """The story with its archived source articles' text (kept as it is if it has some)."""
    if story.sources:
        return story
    found = [a for url in story.urls if (a := archive.get_article(url)) is not None]
    texts = [f"{a.title}\n{a.text[:SOURCE_CHARS]}" for a in found]
    return story.model_copy(update={"sources": texts}) if texts else story


def reasons(dropped: list[Dropped]) -> dict[str, int]:
    """Dropped articles counted by reason."""
    return dict(Counter(d.reason for d in dropped))


@contextmanager
def timed(times: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of the block to ``times[name]``."""
    started = time.monotonic()
    try:
        yield
    finally:
        times[name] = times.get(name, 0.0) + time.monotonic() - started

"""Ingest steps around the archive: what the flow process does with the fetch tasks' outcomes.

The fetch tasks (in worker threads or processes) never touch the archive; these plain
functions read feed state from it before, and store entries, articles and source health
after, counting what happened in the run's :class:`IngestReport`. Only the flow process
calls them: the archive has one writer.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pipeline import progress
from pipeline.ingest.gather import wants_page
from pipeline.models import (
    Article,
    Failure,
    FeedEntry,
    FeedOutcome,
    IngestReport,
    PageOutcome,
    Source,
)
from pipeline.store.archive import Archive, FeedState, SourceRun

log = logging.getLogger(__name__)


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

"""The ingest steps around the archive (ingest/absorb.py), without Prefect or a network.

What the flow process does with the fetch tasks' outcomes: feed state for conditional
requests, entries and source health stored, failures counted, the pages still to fetch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.ingest.absorb import (
    absorb_feeds,
    absorb_pages,
    feed_states,
    pages_to_fetch,
    window_articles,
)
from pipeline.models import (
    Article,
    Failure,
    FeedEntry,
    FeedOutcome,
    IngestReport,
    PageOutcome,
    Source,
    article_id,
)
from pipeline.store.archive import Archive

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 2, 7, 1, 0, tzinfo=TZ)
WINDOW = (datetime(2026, 2, 6, tzinfo=TZ), datetime(2026, 2, 7, tzinfo=TZ))
GOOD = Source(name="好新闻", url="https://good.example.com/feed.xml")
BAD = Source(name="坏新闻", url="https://bad.example.com/feed.xml")


def entry(path: str, day: int = 6) -> FeedEntry:
    return FeedEntry(
        source=GOOD.name,
        lang="zh",
        url=f"https://good.example.com{path}",
        title=f"标题{path}",
        published=datetime(2026, 2, day, 9, 0, tzinfo=TZ),
    )


def article(e: FeedEntry) -> Article:
    return Article(
        id=article_id(e.url),
        url=e.url,
        source=e.source,
        lang=e.lang,
        title=e.title,
        published=e.published or NOW,
        text="OpenAI发布新模型，支持100万token上下文。" * 5,
        first_seen=NOW,
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "archive.sqlite3") as opened:
        yield opened


def test_feeds_are_stored_counted_and_remembered_for_conditional_requests(
    archive: Archive,
) -> None:
    report = IngestReport()
    ok = FeedOutcome(source=GOOD, entries=[entry("/a"), entry("/b")], status=200, etag='"v1"')
    failed = FeedOutcome(source=BAD, status=503, error="HTTP 503")
    seen = absorb_feeds(archive, [ok, failed], report, NOW)

    assert [e.url for e in seen] == [e.url for e in ok.entries]
    assert (report.feeds_ok, report.feeds_failed, report.entries_seen) == (1, 1, 2)
    assert report.failures == [Failure(url=BAD.url, stage="feed", error="HTTP 503")]
    assert feed_states(archive, [GOOD, BAD]) == {GOOD.url: ('"v1"', None), BAD.url: (None, None)}
    health = {h.source: h for h in archive.source_health(NOW)}
    assert health[GOOD.name].new_articles == 2 and health[BAD.name].consecutive_failures == 1


def test_a_failed_feed_keeps_its_last_good_validators(archive: Archive) -> None:
    absorb_feeds(archive, [FeedOutcome(source=GOOD, status=200, etag='"v1"')], IngestReport(), NOW)
    later = NOW + timedelta(days=1)
    absorb_feeds(archive, [FeedOutcome(source=GOOD, error="timeout")], IngestReport(), later)
    assert feed_states(archive, [GOOD]) == {GOOD.url: ('"v1"', None)}


def test_salvaged_feeds_and_refused_links_are_failures_for_the_editor(archive: Archive) -> None:
    report = IngestReport()
    damaged = FeedOutcome(
        source=GOOD,
        entries=[entry("/a")],
        status=200,
        warning="not well-formed XML",
        damaged=True,
        rejected={"javascript:alert(1)": "scheme not allowed"},
    )
    absorb_feeds(archive, [damaged], report, NOW)
    errors = [f.error for f in report.failures]
    assert report.feeds_ok == 1 and len(errors) == 2
    assert "kept 1 entries, others may be lost" in errors[0]
    assert errors[1] == "entry link refused in feed 好新闻: scheme not allowed"


def test_pages_to_fetch_are_the_windows_entries_not_yet_archived(archive: Archive) -> None:
    earlier, fetched, new, old = (
        entry("/earlier"),
        entry("/fetched"),
        entry("/new"),
        entry("/old", 2),
    )
    archive.put_entries([earlier], NOW - timedelta(hours=3))  # seen by an earlier run
    archive.put_article(article(fetched))
    todo = pages_to_fetch(archive, [fetched, new, old], WINDOW)
    assert [e.url for e in todo] == [earlier.url, new.url]  # not the archived, not the old


def test_page_batches_are_stored_and_counted(archive: Archive) -> None:
    report = IngestReport()
    a, b = entry("/a"), entry("/b")
    outcome = PageOutcome(
        articles=[article(a)],
        fetched=2,
        failures=[Failure(url=b.url, stage="page", error="HTTP 404")],
        notes={a.url: "extraction fell back to the feed's text"},
    )
    absorb_pages(archive, outcome, report)
    assert (report.pages_fetched, report.articles_new) == (2, 1)
    assert report.failures == outcome.failures and report.notes == outcome.notes
    assert [x.url for x in window_articles(archive, WINDOW)] == [a.url]

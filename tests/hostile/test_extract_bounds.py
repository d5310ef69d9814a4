"""Hostile pages and feeds against the ingest stage (issue 14, items 5 and 6).

Extraction cost per page is bounded in time and size, and one bad source fails alone
whatever it raises. Pages and feeds are served from 127.0.0.1 and go through the real
fetch → extract path (``fetch_articles``, ``fetch_feeds``).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.config import Settings
from pipeline.errors import BoundExceededError
from pipeline.ingest import bounded
from pipeline.ingest import gather as ingest
from pipeline.ingest.bounded import BoundedWorker
from pipeline.ingest.extract import MAX_ARTICLE_CHARS, ExtractResult, extract_article
from pipeline.ingest.feeds import parse_feed
from pipeline.ingest.gather import fetch_articles, fetch_feeds
from pipeline.models import FeedEntry, FeedOutcome, PageOutcome, Source
from tests.servers import Reply, TestServer

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 2, 6, 18, 0, tzinfo=TZ)
ARTICLE = (
    "<article><h1>Open model release</h1>"
    + "<p>The lab released the weights of its new open model on Thursday, with a report "
    "describing the training data, the evaluation results and the licence terms.</p>"
    * 4
    + "</article>"
)
RSS = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>Good</title>"
    "<item><title>A good item</title><link>https://good.example/1</link>"
    "<pubDate>Fri, 06 Feb 2026 08:00:00 +0000</pubDate></item></channel></rss>"
)
SECONDS = 30.0  # the wall-clock bound every attack below must stay within


def entry(url: str, **fields: Any) -> FeedEntry:
    """A feed entry for a served page."""
    return FeedEntry(source="Hostile", lang="en", url=url, title="Open model release", **fields)


def articles(settings: Settings, entries: list[FeedEntry]) -> PageOutcome:
    """Fetch and extract the entries' pages the way the flow does."""
    run = fetch_articles(entries, settings.network, tz=TZ, now=NOW, min_chars=200)
    return asyncio.run(run)


def feeds(settings: Settings, sources: list[Source]) -> list[FeedOutcome]:
    """Fetch and parse the sources the way the flow does."""
    return asyncio.run(fetch_feeds(sources, {}, settings.network, tz=TZ, now=NOW))


def timed(call: Any) -> tuple[Any, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def hog(size: int) -> int:
    """Allocate size bytes (run in the worker)."""
    return len(bytearray(size))


def crashing_extract(html: str, **options: Any) -> ExtractResult:
    """extract_article, except that it crashes on the page marked CRASH (run in the worker)."""
    if "CRASH" in html:
        raise KeyError("an unexpected bug")
    return extract_article(html, **options)


def test_121000_paragraphs_are_extracted_in_bounded_time_cut_and_noted(
    server: TestServer, settings: Settings
) -> None:
    """A 4.4 MB page of 121,000 paragraphs takes seconds, is cut to 100,000 chars, noted."""
    paragraph = "<p>Paragraph {} of a long page.</p>"
    body = "".join(paragraph.format(i) for i in range(121_000))
    url = server.route(
        "/endless", Reply(body=f"<html><body><article>{body}</article></body></html>")
    )
    outcome, seconds = timed(lambda: articles(settings, [entry(url)]))
    assert seconds < SECONDS
    (article,) = outcome.articles
    assert len(article.text) <= MAX_ARTICLE_CHARS and article.text.startswith("Paragraph 0 ")
    assert "page cut after 25,000 elements" in outcome.notes[url]
    assert "article cut at 100,000 characters" in outcome.notes[url]


def test_one_element_with_275000_attributes_is_parsed_in_seconds(
    server: TestServer, settings: Settings
) -> None:
    """An element with 275,000 attributes is cut to 1,000 before parsing; the cut is noted."""
    attributes = " ".join(f"a{i}=x" for i in range(275_000))
    html = f"<html><body><div {attributes}>x</div>{ARTICLE}</body></html>"
    url = server.route("/attributes", Reply(body=html))
    outcome, seconds = timed(lambda: articles(settings, [entry(url)]))
    assert seconds < SECONDS
    (article,) = outcome.articles
    assert "The lab released the weights" in article.text
    assert "1 element(s) cut to 1,000 attributes" in outcome.notes[url]


def test_100000_nested_elements_are_parsed_in_bounded_time(
    server: TestServer, settings: Settings
) -> None:
    """A page of 100,000 nested <div>s around the article is extracted within the bound."""
    html = "<html><body>" + "<div>" * 100_000 + ARTICLE + "</div>" * 100_000 + "</body></html>"
    url = server.route("/nested", Reply(body=html))
    outcome, seconds = timed(lambda: articles(settings, [entry(url, summary="The feed's text.")]))
    assert seconds < SECONDS
    assert len(outcome.articles) == 1 and not outcome.failures
    assert "page cut after 25,000 elements" in outcome.notes[url]


def test_extraction_over_its_time_limit_is_stopped_and_the_batch_goes_on(
    server: TestServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extraction past the time limit is stopped and reported; the next page is extracted."""
    monkeypatch.setattr(bounded, "CALL_TIMEOUT", 0.3)
    slow = "".join(f"<p>Paragraph {i} of a slow page, with text.</p>" for i in range(24_000))
    slow_url = server.route("/slow", Reply(body=f"<html><body>{slow}</body></html>"))
    good_url = server.route("/good", Reply(body=f"<html><body>{ARTICLE}</body></html>"))
    feed_text = "The feed's own summary of the slow page, which stands in for it."
    outcome = articles(settings, [entry(slow_url, summary=feed_text), entry(good_url)])
    (failure,) = outcome.failures
    assert (failure.url, failure.error) == (slow_url, "extraction took longer than 0.3 s; stopped")
    by_url = {a.url: a for a in outcome.articles}
    assert by_url[slow_url].text == feed_text and by_url[slow_url].text_source == "feed"
    assert "used the feed's content" in outcome.notes[slow_url]
    assert "The lab released the weights" in by_url[good_url].text


def test_extraction_that_exhausts_memory_fails_alone() -> None:
    """A call past the worker's memory cap fails with a clear error; the next call is served."""
    with BoundedWorker(memory=512 * 1024 * 1024) as worker:
        with pytest.raises(BoundExceededError, match=r"ran out of memory \(512 MB\)"):
            worker.call(hog, 2 * 1024**3)
        assert worker.call(hog, 1024) == 1024


def test_unexpected_extraction_crash_fails_that_page_alone(
    server: TestServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception in extraction fails that page alone, with its reason."""
    monkeypatch.setattr(ingest, "extract_article", crashing_extract)
    bad = server.route("/crash", Reply(body=f"<html><body>CRASH {ARTICLE}</body></html>"))
    good = server.route("/fine", Reply(body=f"<html><body>{ARTICLE}</body></html>"))
    outcome = articles(settings, [entry(bad), entry(good)])
    assert [(f.url, f.stage, f.error) for f in outcome.failures] == [
        (bad, "extract", "KeyError('an unexpected bug')")
    ]
    assert [a.url for a in outcome.articles] == [good]


def test_json_feed_nested_200000_levels_deep_fails_its_source_alone(
    server: TestServer, settings: Settings
) -> None:
    """A JSON feed nested 200,000 levels deep fails its source alone; the other feed is read."""
    nested = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 200_000
    bad = server.route(
        "/deep.json",
        Reply(body=nested + b"]" * 200_000 + b"}", content_type="application/feed+json"),
    )
    good = server.route("/good.xml", Reply(body=RSS, content_type="application/rss+xml"))
    sources = [Source(name="Deep", url=bad), Source(name="Good", url=good)]
    deep, fine = feeds(settings, sources)
    assert (deep.entries, deep.error) == ([], "not a feed (JSON nested too deeply)")
    assert fine.error is None and [e.url for e in fine.entries] == ["https://good.example/1"]


@pytest.mark.parametrize("exception", [RecursionError(), MemoryError(), KeyError("x")])
def test_any_exception_from_the_feed_parser_fails_that_source_alone(
    server: TestServer, settings: Settings, monkeypatch: pytest.MonkeyPatch, exception: Exception
) -> None:
    """Whatever the feed parser raises, that source alone fails, with the exception named."""
    real = parse_feed

    def parse(content: bytes, source: Source, **kw: Any) -> Any:
        if source.name == "Broken":
            raise exception
        return real(content, source, **kw)

    monkeypatch.setattr(ingest, "parse_feed", parse)
    url = server.route("/feed.xml", Reply(body=RSS, content_type="application/rss+xml"))
    broken, fine = feeds(settings, [Source(name="Broken", url=url), Source(name="Good", url=url)])
    assert broken.error is not None
    assert broken.error.startswith(f"not a feed (parser failed: {type(exception).__name__}")
    assert len(fine.entries) == 1


def test_workers_beyond_the_cores_wait_for_a_child_instead_of_starting_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sixteen page batches at once share at most MAX_CHILDREN children (memory stays flat)."""
    monkeypatch.setattr(bounded, "_slots", threading.BoundedSemaphore(2))
    monkeypatch.setattr(bounded, "MAX_CHILDREN", 2)
    pids: list[int] = []

    def batch() -> None:
        with BoundedWorker() as worker:
            pids.extend(worker.call(os.getpid) for _ in range(3))

    threads = [threading.Thread(target=batch) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(pids) == 48 and os.getpid() not in pids
    assert len(set(pids)) <= 2, "more children than slots were started"

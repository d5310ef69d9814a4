"""Tests of the archive: schema, and every method's roundtrip."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.errors import DigestError
from pipeline.models import Article, CoveredStory, FeedEntry, article_id
from pipeline.store import archive as store
from pipeline.store.archive import Archive, FeedState, SourceRun, archive_path

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 8, 1, 0, 0, tzinfo=TZ)  # 2025-07-31 16:00 UTC


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """An empty archive in a fresh data directory."""
    with Archive(archive_path(tmp_path / "data")) as opened:
        yield opened


def make_article(url: str, published: datetime, **fields: object) -> Article:
    """An article with sensible defaults."""
    values: dict[str, object] = {
        "id": article_id(url),
        "url": url,
        "source": "IT之家",
        "lang": "zh",
        "title": f"标题 {url}",
        "published": published,
        "text": "正文。",
        "first_seen": published + timedelta(minutes=5),
    }
    values.update(fields)
    return Article.model_validate(values)


def make_entry(url: str, published: datetime | None = None) -> FeedEntry:
    """A feed entry with sensible defaults."""
    return FeedEntry(
        source="量子位", lang="zh", url=url, title="t", published=published, summary="摘要"
    )


# --- schema ---------------------------------------------------------------------------


def test_archive_creates_dirs_schema_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "archive.sqlite3"
    with Archive(path):
        pass
    conn = sqlite3.connect(path)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "articles",
        "entries",
        "feed_state",
        "source_runs",
        "llm_cache",
        "published",
        "runs",
    } <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA user_version").fetchone() == (store.SCHEMA_VERSION,)
    indexes = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"articles_published", "entries_at", "source_runs_source"} <= indexes


def test_archive_keeps_data_across_reopen(tmp_path: Path) -> None:
    path = archive_path(tmp_path)
    with Archive(path) as first:
        first.put_article(make_article("https://a.cn/1", T0))
    with Archive(path) as second:
        assert second.has_article("https://a.cn/1")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = archive_path(tmp_path)
    sqlite3.connect(path).execute(f"PRAGMA user_version={store.SCHEMA_VERSION + 1}")
    with pytest.raises(DigestError, match="newer than this version"):
        Archive(path)


def test_connection_refuses_other_threads(archive: Archive) -> None:
    errors: list[BaseException] = []

    def use() -> None:
        try:
            archive.has_article("https://a.cn/")
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert len(errors) == 1


# --- articles -------------------------------------------------------------------------


def test_article_roundtrip_and_upsert(archive: Archive) -> None:
    url = "https://www.ithome.com/0/845/123.htm"
    assert not archive.has_article(url)
    assert archive.get_article(url) is None
    article = make_article(url, T0, image="https://img.cn/a.png", text_source="feed")
    archive.put_article(article)
    assert archive.has_article(url)
    assert archive.get_article(url) == article
    changed = article.model_copy(update={"title": "新标题"})
    archive.put_article(changed)
    assert archive.get_article(url) == changed
    assert archive.articles_between(T0, T0 + timedelta(seconds=1)) == [changed]


def test_articles_between_is_half_open_and_zone_independent(archive: Archive) -> None:
    for hours in (-1, 0, 12, 24, 25):
        archive.put_article(make_article(f"https://a.cn/{hours}", T0 + timedelta(hours=hours)))
    day = archive.articles_between(T0, T0 + timedelta(days=1))
    assert [a.url for a in day] == ["https://a.cn/0", "https://a.cn/12"]
    same_in_utc = archive.articles_between(T0.astimezone(UTC), (T0 + timedelta(days=1)))
    assert same_in_utc == day
    assert day[0].published == T0  # the article's own offset survives the roundtrip


def test_naive_datetimes_are_refused(archive: Archive) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        archive.articles_between(datetime(2025, 8, 1), datetime(2025, 8, 2))


def test_known_urls_in_chunks(archive: Archive) -> None:
    for i in range(0, 1200, 100):
        archive.put_article(make_article(f"https://a.cn/{i}", T0))
    asked = [f"https://a.cn/{i}" for i in range(1200)] + ["https://a.cn/0"]
    assert archive.known_urls(asked) == {f"https://a.cn/{i}" for i in range(0, 1200, 100)}
    assert archive.known_urls([]) == set()


def test_unreadable_rows_are_skipped(archive: Archive, tmp_path: Path) -> None:
    archive.put_article(make_article("https://a.cn/ok", T0))
    archive.put_article(make_article("https://a.cn/bad", T0))
    conn = sqlite3.connect(archive.path)
    with conn:
        conn.execute("UPDATE articles SET json = '{\"id\": 1}' WHERE url = 'https://a.cn/bad'")
    assert archive.get_article("https://a.cn/bad") is None
    assert [a.url for a in archive.articles_between(T0, T0 + timedelta(hours=1))] == [
        "https://a.cn/ok"
    ]


# --- feed entries ---------------------------------------------------------------------


def test_entries_roundtrip_by_published_else_first_seen(archive: Archive) -> None:
    dated = make_entry("https://a.cn/dated", T0 + timedelta(hours=2))
    undated = make_entry("https://a.cn/undated")
    old = make_entry("https://a.cn/old", T0 - timedelta(days=3))
    archive.put_entries([dated, undated, old], seen_at=T0 + timedelta(hours=3))
    window = archive.entries_between(T0, T0 + timedelta(days=1))
    assert window == [dated, undated]
    assert archive.entry_first_seen("https://a.cn/old") == T0 + timedelta(hours=3)
    assert archive.entry_first_seen("https://a.cn/never") is None


def test_entries_keep_first_seen_and_take_updates(archive: Archive) -> None:
    undated = make_entry("https://a.cn/x")
    archive.put_entries([undated], seen_at=T0)
    dated = make_entry("https://a.cn/x", T0 + timedelta(days=2))
    archive.put_entries([dated], seen_at=T0 + timedelta(days=5))
    assert archive.entry_first_seen("https://a.cn/x") == T0
    assert archive.entries_between(T0, T0 + timedelta(days=1)) == []
    assert archive.entries_between(T0 + timedelta(days=2), T0 + timedelta(days=3)) == [dated]
    archive.put_entries([], seen_at=T0)


# --- feed state and source health -----------------------------------------------------


def test_feed_state_roundtrip(archive: Archive) -> None:
    url = "https://www.ithome.com/rss/"
    assert archive.get_feed_state(url) is None
    state = FeedState(
        url=url,
        etag='W/"abc"',
        last_modified="Fri, 01 Aug 2025 00:00:00 GMT",
        last_status=200,
        last_success=T0,
        last_new=T0,
    )
    archive.save_feed_state(state)
    assert archive.get_feed_state(url) == state
    updated = state.model_copy(update={"last_status": 304, "etag": None})
    archive.save_feed_state(updated)
    assert archive.get_feed_state(url) == updated


def run_of(source: str, day: int, *, new: int = 0, error: str | None = None) -> SourceRun:
    """A source run on day N after T0."""
    return SourceRun(
        source=source,
        url=f"https://{source}.cn/rss",
        run_at=T0 + timedelta(days=day),
        items_seen=0 if error else 20,
        new_articles=new,
        failures=1 if new else 0,
        error=error,
        status=None if error else 200,
    )


def test_source_health(archive: Archive) -> None:
    runs = [
        run_of("good", 0, new=3),
        run_of("good", 3, new=2),
        run_of("broken", 0, new=5),
        run_of("broken", 1, error="HTTP 500"),
        run_of("broken", 2, error="timeout"),
        run_of("quiet", 0, new=1),
        run_of("quiet", 1),
        run_of("quiet", 2),
        run_of("quiet", 4),
        run_of("new", 2),
        run_of("never", 0, error="DNS"),
    ]
    for run in runs:
        archive.record_source_run(run)
    health = {h.source: h for h in archive.source_health(T0 + timedelta(days=4), stale_days=3)}
    assert list(health) == ["broken", "good", "never", "new", "quiet"]
    good, broken, quiet = health["good"], health["broken"], health["quiet"]
    assert (good.last_run, good.last_success, good.last_new) == (T0 + timedelta(days=3),) * 3
    assert (good.items_seen, good.new_articles, good.consecutive_failures) == (20, 2, 0)
    assert not good.stale
    assert broken.consecutive_failures == 2
    assert (broken.last_error, broken.last_status) == ("timeout", None)
    assert broken.last_success == T0 and not broken.stale
    assert quiet.stale and quiet.last_new == T0 and quiet.consecutive_failures == 0
    assert not health["new"].stale  # tracked for 2 days only, nothing new yet
    never = health["never"]
    assert (never.last_success, never.consecutive_failures, never.stale) == (None, 1, False)
    assert never.url == "https://never.cn/rss"


def test_source_health_recovers_after_a_success(archive: Archive) -> None:
    for run in (run_of("s", 0, error="x"), run_of("s", 1, error="y"), run_of("s", 2)):
        archive.record_source_run(run)
    (health,) = archive.source_health(T0 + timedelta(days=2))
    assert health.consecutive_failures == 0
    assert archive.source_health(T0) != []


def test_source_health_of_an_empty_archive(archive: Archive) -> None:
    assert archive.source_health(T0) == []


# --- LLM cache, published stories, runs -----------------------------------------------


def test_cache_roundtrip(archive: Archive) -> None:
    assert archive.cache_get("k") is None
    archive.cache_put("k", '{"headline": "标题"}')
    assert archive.cache_get("k") == '{"headline": "标题"}'
    archive.cache_put("k", "")
    assert archive.cache_get("k") == ""


def test_published_stories(archive: Archive) -> None:
    aug1, aug2, aug3 = date(2025, 8, 1), date(2025, 8, 2), date(2025, 8, 3)
    first = CoveredStory(date=aug3, title="A", urls=["https://a.cn/1"], text="A lead")
    second = CoveredStory(date=aug1, format="weekly", title="B")
    archive.record_covered(aug1, "daily", [first, second])
    archive.record_covered(aug2, "daily", [second])
    archive.record_covered(aug2, "weekly", [first])
    archive.record_covered(aug3, "daily", [first])
    daily = archive.covered_between(aug1, aug2, "daily")
    assert [(s.date, s.format, s.title) for s in daily] == [
        (aug1, "daily", "A"),
        (aug1, "daily", "B"),
        (aug2, "daily", "B"),
    ]
    assert daily[0].urls == ["https://a.cn/1"] and daily[0].text == "A lead"
    assert len(archive.covered_between(aug1, aug3)) == 5
    archive.record_covered(aug1, "daily", [second])  # a rerun replaces the day's set
    assert [s.title for s in archive.covered_between(aug1, aug1)] == ["B"]
    archive.record_covered(aug1, "daily", [])
    assert archive.covered_between(aug1, aug1) == []


def test_run_records(archive: Archive) -> None:
    day = date(2025, 8, 1)
    assert archive.last_run(day, "daily") is None
    archive.record_run(day, "daily", '{"n": 1}')
    archive.record_run(day, "daily", '{"n": 2}')
    archive.record_run(day, "weekly", '{"n": 3}')
    assert archive.last_run(day, "daily") == '{"n": 2}'
    assert archive.last_run(day, "weekly") == '{"n": 3}'
    assert archive.last_run(date(2025, 8, 2), "daily") is None

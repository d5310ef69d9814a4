"""Store stage: the SQLite archive under data_dir.

The archive is the single source of truth for past dates and reruns: articles, feed
entries, conditional-GET state, source health, the LLM cache, published stories and
run records. Rows keep the pydantic JSON plus the indexed columns queries need; every
time column holds UTC as fixed-width ISO text, so string order is time order.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pipeline.errors import DigestError
from pipeline.models import Article, CoveredStory, FeedEntry, Frozen
from pipeline.store.files import refuse_links

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

ARCHIVE_NAME = "archive.sqlite3"
SCHEMA_VERSION = 1
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    published_utc TEXT NOT NULL,
    first_seen_utc TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_utc);
CREATE TABLE IF NOT EXISTS entries (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    published_utc TEXT,
    seen_utc TEXT NOT NULL,
    at_utc TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_at ON entries (at_utc);
CREATE TABLE IF NOT EXISTS feed_state (url TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    run_at_utc TEXT NOT NULL,
    ok INTEGER NOT NULL,
    new_articles INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS source_runs_source ON source_runs (source, run_at_utc);
CREATE TABLE IF NOT EXISTS llm_cache (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS published (
    date TEXT NOT NULL,
    format TEXT NOT NULL,
    position INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (date, format, position)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    date TEXT NOT NULL,
    format TEXT NOT NULL,
    recorded_utc TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_date ON runs (date, format);
"""
SQL_CHUNK = 500  # bound parameters per IN (...) query, well under SQLite's limit


class FeedState(Frozen):
    """What the last fetches of a feed left behind, for conditional GET."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_success: datetime | None = None
    last_new: datetime | None = None


class SourceRun(Frozen):
    """One fetch of one source in one run."""

    source: str
    url: str
    run_at: datetime
    items_seen: int = 0
    new_articles: int = 0
    failures: int = 0  # items (pages) of this feed that failed; the feed itself: error
    error: str | None = None  # None: the feed was fetched and parsed
    status: int | None = None


class SourceHealth(Frozen):
    """How a source has been doing, from its recorded runs."""

    source: str
    url: str
    last_run: datetime
    last_success: datetime | None
    last_new: datetime | None
    items_seen: int  # of the last run
    new_articles: int  # of the last run
    consecutive_failures: int
    last_error: str | None
    last_status: int | None
    stale: bool  # answers, but nothing new for stale_days


def archive_path(data_dir: Path) -> Path:
    """Where the archive of a data directory lives."""
    return data_dir / ARCHIVE_NAME


def to_utc_text(moment: datetime) -> str:
    """An aware datetime as fixed-width UTC ISO text (sortable as a string)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timezone-aware datetime required, got {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_utc_text(text: str | None) -> datetime | None:
    """The inverse of to_utc_text; None stays None."""
    return datetime.fromisoformat(text) if text else None


def load_model(model: type[M], text: str) -> M | None:
    """A stored row's model, or None (logged) if the JSON no longer validates."""
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        logger.warning("skipping unreadable %s row: %s", model.__name__, exc)
        return None


class Archive:
    """The SQLite archive: one connection, used from the thread that opened it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        refuse_links(path, SQLITE_COMPANIONS)  # SQLite itself would follow a planted link
        self.path = path
        self._conn = sqlite3.connect(path, timeout=10.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        (version,) = self._conn.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            self.close()
            raise DigestError(
                f"archive {self.path} has schema {version}, newer than this version's "
                f"{SCHEMA_VERSION}; upgrade ai-digest or use another data_dir"
            )
        with self._conn:
            self._conn.executescript(SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self, sql: str, params: Iterable[Any] = ()) -> None:
        with self._conn:
            self._conn.execute(sql, tuple(params))

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn.execute(sql, tuple(params)).fetchall())

    # --- articles ---------------------------------------------------------------------

    def has_article(self, url: str) -> bool:
        """True if an article with this canonical URL is archived."""
        return bool(self._rows("SELECT 1 FROM articles WHERE url = ?", (url,)))

    def get_article(self, url: str) -> Article | None:
        """The archived article of a canonical URL, if any."""
        rows = self._rows("SELECT json FROM articles WHERE url = ?", (url,))
        return load_model(Article, rows[0][0]) if rows else None

    def put_article(self, article: Article) -> None:
        """Insert or replace an article."""
        self._write(
            "INSERT OR REPLACE INTO articles"
            " (id, url, source, published_utc, first_seen_utc, json) VALUES (?, ?, ?, ?, ?, ?)",
            (
                article.id,
                article.url,
                article.source,
                to_utc_text(article.published),
                to_utc_text(article.first_seen),
                article.model_dump_json(),
            ),
        )

    def articles_between(self, start: datetime, end: datetime) -> list[Article]:
        """Articles published in [start, end), oldest first."""
        rows = self._rows(
            "SELECT json FROM articles WHERE published_utc >= ? AND published_utc < ?"
            " ORDER BY published_utc, id",
            (to_utc_text(start), to_utc_text(end)),
        )
        return [a for (text,) in rows if (a := load_model(Article, text)) is not None]

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """The subset of urls that are archived articles."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        for i in range(0, len(wanted), SQL_CHUNK):
            chunk = wanted[i : i + SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                u for (u,) in self._rows(f"SELECT url FROM articles WHERE url IN ({marks})", chunk)
            )
        return found

    # --- feed entries -----------------------------------------------------------------

    def put_entries(self, entries: list[FeedEntry], seen_at: datetime) -> None:
        """Archive feed entries; an entry seen before keeps its first seen_at."""
        seen = to_utc_text(seen_at)
        rows = [
            (
                e.url,
                e.source,
                to_utc_text(e.published) if e.published else None,
                seen,
                e.model_dump_json(),
            )
            for e in entries
        ]
        with self._conn:
            self._conn.executemany(
                "INSERT INTO entries (url, source, published_utc, seen_utc, at_utc, json)"
                " VALUES (?1, ?2, ?3, ?4, coalesce(?3, ?4), ?5)"
                " ON CONFLICT (url) DO UPDATE SET source = excluded.source,"
                " published_utc = excluded.published_utc, json = excluded.json,"
                " at_utc = coalesce(excluded.published_utc, entries.seen_utc)",
                rows,
            )

    def entries_between(self, start: datetime, end: datetime) -> list[FeedEntry]:
        """Entries published (else first seen) in [start, end), oldest first."""
        rows = self._rows(
            "SELECT json FROM entries WHERE at_utc >= ? AND at_utc < ? ORDER BY at_utc, url",
            (to_utc_text(start), to_utc_text(end)),
        )
        return [e for (text,) in rows if (e := load_model(FeedEntry, text)) is not None]

    def entry_first_seen(self, url: str) -> datetime | None:
        """When a feed first listed this URL, if ever."""
        rows = self._rows("SELECT seen_utc FROM entries WHERE url = ?", (url,))
        return from_utc_text(rows[0][0]) if rows else None

    # --- feeds and sources ------------------------------------------------------------

    def get_feed_state(self, url: str) -> FeedState | None:
        """The conditional-GET state of a feed, if it was fetched before."""
        rows = self._rows("SELECT json FROM feed_state WHERE url = ?", (url,))
        return load_model(FeedState, rows[0][0]) if rows else None

    def save_feed_state(self, state: FeedState) -> None:
        """Insert or replace a feed's state."""
        self._write(
            "INSERT OR REPLACE INTO feed_state (url, json) VALUES (?, ?)",
            (state.url, state.model_dump_json()),
        )

    def record_source_run(self, run: SourceRun) -> None:
        """Append one source's outcome of a run."""
        self._write(
            "INSERT INTO source_runs (source, run_at_utc, ok, new_articles, json)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                run.source,
                to_utc_text(run.run_at),
                run.error is None,
                run.new_articles,
                run.model_dump_json(),
            ),
        )

    def source_health(self, now: datetime, stale_days: int = 3) -> list[SourceHealth]:
        """Per source, by name: last run, last success, last news, failures, staleness."""
        rows = self._rows(
            "SELECT source, min(run_at_utc), max(CASE WHEN ok THEN run_at_utc END),"
            " max(CASE WHEN new_articles > 0 THEN run_at_utc END)"
            " FROM source_runs GROUP BY source ORDER BY source"
        )
        stale_before = now - timedelta(days=stale_days)
        found = (self._health(row, stale_before) for row in rows)
        return [health for health in found if health is not None]

    def _health(self, row: tuple[Any, ...], stale_before: datetime) -> SourceHealth | None:
        source, first_run, last_success, last_new = row
        (last_json,) = self._rows(
            "SELECT json FROM source_runs WHERE source = ? ORDER BY run_at_utc DESC, id DESC"
            " LIMIT 1",
            (source,),
        )[0]
        last = load_model(SourceRun, last_json)
        if last is None:
            return None
        ((failures,),) = self._rows(
            "SELECT count(*) FROM source_runs WHERE source = ? AND NOT ok AND run_at_utc > ?",
            (source, last_success or ""),
        )
        quiet_since = from_utc_text(last_new or first_run)
        return SourceHealth(
            source=source,
            url=last.url,
            last_run=last.run_at,
            last_success=from_utc_text(last_success),
            last_new=from_utc_text(last_new),
            items_seen=last.items_seen,
            new_articles=last.new_articles,
            consecutive_failures=failures,
            last_error=last.error,
            last_status=last.status,
            stale=last.error is None and quiet_since is not None and quiet_since <= stale_before,
        )

    # --- LLM cache --------------------------------------------------------------------

    def cache_get(self, key: str) -> str | None:
        """The cached value of an opaque key, if any."""
        rows = self._rows("SELECT value FROM llm_cache WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def cache_put(self, key: str, value: str) -> None:
        """Cache a value under an opaque key, replacing any earlier one."""
        self._write(
            "INSERT OR REPLACE INTO llm_cache (key, value, created_utc) VALUES (?, ?, ?)",
            (key, value, to_utc_text(datetime.now(UTC))),
        )

    # --- published stories and runs ---------------------------------------------------

    def record_covered(self, date: date, format: str, stories: list[CoveredStory]) -> None:
        """Replace the stories published for date and format (their own date/format follow)."""
        day = date.isoformat()
        rows = [
            (
                day,
                format,
                i,
                s.model_copy(update={"date": date, "format": format}).model_dump_json(),
            )
            for i, s in enumerate(stories)
        ]
        with self._conn:
            self._conn.execute("DELETE FROM published WHERE date = ? AND format = ?", (day, format))
            self._conn.executemany("INSERT INTO published VALUES (?, ?, ?, ?)", rows)

    def covered_between(
        self, start_date: date, end_date: date, format: str | None = None
    ) -> list[CoveredStory]:
        """Stories published from start_date to end_date, both included; any format if None."""
        sql = "SELECT json FROM published WHERE date >= ? AND date <= ?"
        params: list[Any] = [start_date.isoformat(), end_date.isoformat()]
        if format is not None:
            sql += " AND format = ?"
            params.append(format)
        rows = self._rows(sql + " ORDER BY date, format, position", params)
        return [s for (text,) in rows if (s := load_model(CoveredStory, text)) is not None]

    def record_run(self, date: date, format: str, record_json: str) -> None:
        """Append a run record (JSON text) for date and format."""
        self._write(
            "INSERT INTO runs (date, format, recorded_utc, record) VALUES (?, ?, ?, ?)",
            (date.isoformat(), format, to_utc_text(datetime.now(UTC)), record_json),
        )

    def last_run(self, date: date, format: str) -> str | None:
        """The latest run record of date and format, if any."""
        rows = self._rows(
            "SELECT record FROM runs WHERE date = ? AND format = ? ORDER BY id DESC LIMIT 1",
            (date.isoformat(), format),
        )
        return str(rows[0][0]) if rows else None

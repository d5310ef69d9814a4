"""Benchmark: feed parsing on kagisearch/fastfeedparser's 200 real feeds, against feedparser.

For each feed of the corpus's ``benchmark.py`` list (read from its cached bytes in
``benchmark_data/``), counts the entries with a usable link, and with a usable link and
a date, that ``parse_feed`` yields and that ``feedparser.parse(bytes)`` yields, times
both, lists every feed where they disagree with the reason, and writes the table to
benchmarks/RESULTS.md.

    git clone https://github.com/kagisearch/fastfeedparser CORPUS
    python -m benchmarks.feeds_eval CORPUS

Same rules on both sides: a link is usable when, resolved against the feed's URL, it is
an http(s) URL with a host; a date is usable when it parses to a year from 1995 up to a
day from now (feedparser reads Hugo's ``0001`` placeholder as year 1 or 2001: neither is
a date). feedparser repeats an entry as often as the feed does; the project keeps one
entry per id (else per link), so feedparser is also counted by distinct entries.
"""

from __future__ import annotations

import ast
import hashlib
import io
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import feedparser

from benchmarks.corpus_common import machine_line, ms, write_section
from pipeline.ingest.feeds import ParsedFeed, parse_feed
from pipeline.models import Source

NOW = datetime.now(UTC)
DATE_KEYS = ("published_parsed", "updated_parsed", "created_parsed")
MIN_YEAR = 1995


@dataclass
class FeedCounts:
    """One feed's counts on both sides, and the CPU each parser took."""

    url: str
    fp_entries: int
    fp_linked: int
    fp_dated: int
    fp_distinct_linked: int
    fp_distinct_dated: int
    ours_linked: int
    ours_dated: int
    fp_ms: float
    ours_ms: float
    warning: str | None

    def disagrees(self) -> bool:
        """Whether the two parsers give different counts (raw or distinct)."""
        return (self.ours_linked, self.ours_dated) != (self.fp_linked, self.fp_dated)

    def fewer(self) -> bool:
        """Whether the project yields fewer distinct linked or dated entries."""
        return (
            self.ours_linked < self.fp_distinct_linked or self.ours_dated < self.fp_distinct_dated
        )


def feed_urls(corpus: Path) -> list[str]:
    """The FEEDS list of the corpus's benchmark.py, read without importing it."""
    tree = ast.parse((corpus / "benchmark.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "FEEDS":
            urls: list[str] = ast.literal_eval(node.value)
            return urls
    raise SystemExit("no FEEDS list in benchmark.py")


def cached_bytes(corpus: Path, url: str) -> bytes:
    """The feed's bytes as the corpus cached them (its own naming: sha256(url)[:16])."""
    return (corpus / "benchmark_data" / hashlib.sha256(url.encode()).hexdigest()[:16]).read_bytes()


def usable_link(link: object, base: str) -> str | None:
    """The link resolved against base if it is an http(s) URL with a host."""
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        parts = urlsplit(urljoin(base, link.strip()))
    except ValueError:
        return None
    return parts.geturl() if parts.scheme in ("http", "https") and parts.hostname else None


def usable_date(entry: Any) -> bool:
    """Whether feedparser parsed a plausible date for the entry."""
    for key in DATE_KEYS:
        parsed = entry.get(key)
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError):
                return False
            return when.year >= MIN_YEAR and when <= NOW + timedelta(days=1)
    return False


def count(url: str, content: bytes) -> FeedCounts:
    """Both parsers over one feed's bytes."""
    start = time.process_time()
    fp = feedparser.parse(io.BytesIO(content))
    fp_ms = (time.process_time() - start) * 1000
    start = time.process_time()
    ours = parse_feed(
        content, Source(name="bench", url=url, lang="en"), now=NOW, tz=ZoneInfo("UTC")
    )
    ours_ms = (time.process_time() - start) * 1000
    linked = [e for e in fp.entries if usable_link(e.get("link"), url)]
    dated = [e for e in linked if usable_date(e)]
    return FeedCounts(
        url=url,
        fp_entries=len(fp.entries),
        fp_linked=len(linked),
        fp_dated=len(dated),
        fp_distinct_linked=_distinct(linked, url),
        fp_distinct_dated=_distinct(dated, url),
        ours_linked=len(ours.entries),
        ours_dated=sum(1 for e in ours.entries if e.published is not None),
        fp_ms=fp_ms,
        ours_ms=ours_ms,
        warning=_warning(ours),
    )


def _distinct(entries: list[Any], base: str) -> int:
    """Entries counted once per id, else once per link (as the project keys them)."""
    return len({e.get("id") or usable_link(e.get("link"), base) for e in entries})


def _warning(feed: ParsedFeed) -> str | None:
    return feed.warning[:80] if feed.warning else None


def reason(row: FeedCounts) -> str:
    """Why the counts differ, as far as the counts tell."""
    reasons = []
    if row.fp_entries == 0 and row.ours_linked:
        reasons.append("feedparser reads no entry (not RSS/Atom: e.g. JSON Feed)")
    if row.fp_linked > row.fp_distinct_linked:
        reasons.append(f"feedparser repeats {row.fp_linked - row.fp_distinct_linked} entries")
    if row.ours_linked > row.fp_distinct_linked and row.fp_entries:
        reasons.append("the project resolves links feedparser leaves unusable")
    if row.fewer():
        reasons.append("**fewer distinct entries than feedparser**")
    return "; ".join(reasons) or "dates read differently"


def tables(rows: list[FeedCounts]) -> str:
    """The totals table and the list of every disagreement."""
    fewer = [r for r in rows if r.fewer()]
    fp_cpu = [r.fp_ms for r in rows]
    ours_cpu = [r.ours_ms for r in rows]
    totals = [
        "| | entries with a usable link | … and a usable date | CPU ms/feed median | mean |",
        "|---|---|---|---|---|",
        f"| **this project** (`parse_feed`) | {sum(r.ours_linked for r in rows):,} | "
        f"{sum(r.ours_dated for r in rows):,} | {ms(statistics.median(ours_cpu))} | "
        f"{ms(statistics.mean(ours_cpu))} |",
        f"| `feedparser.parse(bytes)` | {sum(r.fp_linked for r in rows):,} | "
        f"{sum(r.fp_dated for r in rows):,} | {ms(statistics.median(fp_cpu))} | "
        f"{ms(statistics.mean(fp_cpu))} |",
        f"| `feedparser`, distinct entries | {sum(r.fp_distinct_linked for r in rows):,} | "
        f"{sum(r.fp_distinct_dated for r in rows):,} | | |",
        f"| `feedparser`, every entry (with a link or not) | "
        f"{sum(r.fp_entries for r in rows):,} | | | |",
    ]
    listing = [
        "| feed | feedparser (linked / dated / distinct) | project (linked / dated) | why |",
        "|---|---|---|---|",
    ]
    for row in (r for r in rows if r.disagrees()):
        listing.append(
            f"| {row.url} | {row.fp_linked} / {row.fp_dated} / "
            f"{row.fp_distinct_linked} | {row.ours_linked} / {row.ours_dated} | {reason(row)} |"
        )
    summary = (
        f"Feeds where the project yields fewer distinct entries with a usable link (or link "
        f"and date) than feedparser: **{len(fewer)} of {len(rows)}**"
        f"{': ' + ', '.join(r.url for r in fewer) if fewer else ''}. "
        f"Every feed where the raw counts differ is listed below."
    )
    return "\n".join(totals) + "\n\n" + summary + "\n\n" + "\n".join(listing)


def main(argv: list[str]) -> None:
    """Run the benchmark on the corpus checkout given as the first argument."""
    if len(argv) != 1:
        raise SystemExit(__doc__)
    corpus = Path(argv[0])
    urls = feed_urls(corpus)
    rows = [count(url, cached_bytes(corpus, url)) for url in urls]
    command = f"python -m benchmarks.feeds_eval {corpus}"
    markdown = "\n\n".join(
        [
            f"### fastfeedparser benchmark feeds ({len(rows)} real feeds)",
            machine_line(
                command,
                "CPU time per feed, `time.process_time`, both parsers over the same bytes in "
                f"one process; feedparser {feedparser.__version__}",
            )
            + " A link is usable when it resolves, against the feed's URL, to an http(s) URL "
            "with a host; a date when it parses to a year from 1995 to a day from now (the "
            "same rules on both sides). feedparser keeps an entry as often as the feed repeats "
            "it; the project keeps one per id (else per link), so feedparser is also counted "
            "by distinct entries.",
            tables(rows),
        ]
    )
    write_section("feeds", markdown)
    print(markdown)


if __name__ == "__main__":
    main(sys.argv[1:])

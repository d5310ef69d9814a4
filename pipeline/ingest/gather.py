"""Ingestion orchestration: feeds → entries → pages → articles, plain async functions.

The flow wraps these in Prefect tasks. They never touch the archive: they take
what they need as arguments and return serialisable outcomes, so they can run in
a worker process; only the flow process writes to the archive.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pipeline import progress
from pipeline.config import NetworkSettings
from pipeline.errors import BoundExceededError, DigestError, ExtractError, UnsafeURLError
from pipeline.ingest.bounded import BoundedWorker
from pipeline.ingest.extract import ExtractResult, extract_article
from pipeline.ingest.feeds import parse_feed
from pipeline.ingest.fetch import Fetcher
from pipeline.models import Failure, FeedEntry, FeedOutcome, PageOutcome, Source

log = logging.getLogger(__name__)

# Pages are fetched for entries dated this long before the window (late-arriving items).
LOOKBACK = timedelta(days=2)
REFUSED_PREFIX = "refused by the URL policy: "


def day_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The window of the digest dated ``day``: the whole previous local day, half-open."""
    start = datetime.combine(day - timedelta(days=1), time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def wants_page(entry: FeedEntry, window: tuple[datetime, datetime]) -> bool:
    """Whether an entry may belong to the window, so its page is worth fetching."""
    if entry.published is None:
        return True
    return window[0] - LOOKBACK <= entry.published < window[1] + timedelta(hours=12)


def group_by_host(entries: list[FeedEntry]) -> list[list[FeedEntry]]:
    """Batches of entries, one per host, so per-host politeness holds across batches."""
    groups: dict[str, list[FeedEntry]] = defaultdict(list)
    for entry in entries:
        groups[urlsplit(entry.url).hostname or ""].append(entry)
    return [groups[host] for host in sorted(groups)]


async def fetch_feeds(
    sources: list[Source],
    states: dict[str, tuple[str | None, str | None]],
    net: NetworkSettings,
    *,
    tz: ZoneInfo,
    now: datetime,
) -> list[FeedOutcome]:
    """Fetch and parse every feed concurrently through one client; failures are outcomes."""
    async with Fetcher(net) as fetcher:
        jobs = [
            _counted(_fetch_feed(fetcher, s, states.get(s.url, (None, None)), tz, now))
            for s in sources
        ]
        return list(await asyncio.gather(*jobs))


async def _counted(job: Awaitable[FeedOutcome]) -> FeedOutcome:
    try:
        return await job
    finally:
        progress.advance("feeds")


async def _fetch_feed(
    fetcher: Fetcher,
    source: Source,
    state: tuple[str | None, str | None],
    tz: ZoneInfo,
    now: datetime,
) -> FeedOutcome:
    try:
        result = await fetcher.fetch_feed(source.url, etag=state[0], last_modified=state[1])
    except DigestError as exc:
        log.warning("feed %s failed: %s", source.name, exc, extra=progress.failure("feeds"))
        return FeedOutcome(source=source, error=str(exc))
    outcome = FeedOutcome(
        source=source,
        status=result.status,
        not_modified=result.not_modified,
        etag=result.etag,
        last_modified=result.last_modified,
    )
    if result.not_modified:
        return outcome
    try:
        parsed = parse_feed(result.content, source, now=now, tz=tz, url=result.url)
    except Exception as exc:  # a bug or a hostile feed must fail this source alone
        log.exception("feed %s could not be parsed", source.name)
        outcome.error = f"not a feed (parser failed: {type(exc).__name__}: {exc})"[:500]
        return outcome
    outcome.entries = parsed.entries[: _cap(fetcher)]
    outcome.warning = parsed.warning
    outcome.rejected = parsed.rejected
    if parsed.warning and not parsed.entries:
        outcome.error = parsed.warning
    else:
        outcome.damaged = parsed.damaged
    return outcome


def _cap(fetcher: Fetcher) -> int:
    return fetcher.settings.max_articles_per_feed


async def fetch_articles(
    entries: list[FeedEntry],
    net: NetworkSettings,
    *,
    tz: ZoneInfo,
    now: datetime,
    min_chars: int,
) -> PageOutcome:
    """Fetch and extract the pages of some entries; a failed page falls back to feed text.

    Each page is extracted as soon as it arrives, while the next request of its host waits
    out the politeness delay, so fetching and extraction overlap.
    """
    async with Fetcher(net) as fetcher:
        parts = await asyncio.gather(
            *(_fetch_one(fetcher, e, tz=tz, now=now, min_chars=min_chars) for e in entries)
        )
    return _merged(parts)


async def _fetch_one(
    fetcher: Fetcher, entry: FeedEntry, *, tz: ZoneInfo, now: datetime, min_chars: int
) -> PageOutcome:
    """One entry's page fetched, then extracted in a bounded child off the event loop."""
    html, final_url, failure = await _page(fetcher, entry)
    part = PageOutcome(fetched=0 if failure else 1)
    if failure:
        part.failures.append(failure)
        if failure.error.startswith(REFUSED_PREFIX):
            return part  # a link the URL policy refuses is not published, not even with feed text
    page = _Page(entry, html, final_url)
    await asyncio.to_thread(_extract_alone, part, page, tz=tz, now=now, min_chars=min_chars)
    return part


def _extract_alone(
    part: PageOutcome, page: _Page, *, tz: ZoneInfo, now: datetime, min_chars: int
) -> None:
    """Extract one page, holding a bounded child only while it works (others share it)."""
    with BoundedWorker() as worker:
        _extract_into(part, page, worker, tz=tz, now=now, min_chars=min_chars)


def _merged(parts: list[PageOutcome]) -> PageOutcome:
    """The pages' outcomes as one, in the entries' order."""
    outcome = PageOutcome()
    for part in parts:
        outcome.articles += part.articles
        outcome.failures += part.failures
        outcome.notes.update(part.notes)
        outcome.fetched += part.fetched
    return outcome


async def _page(fetcher: Fetcher, entry: FeedEntry) -> tuple[str, str, Failure | None]:
    try:
        result = await fetcher.fetch_page(entry.url)
    except UnsafeURLError as exc:
        log.warning("page %s refused: %s", entry.url, exc, extra=progress.failure("pages"))
        return "", entry.url, Failure(url=entry.url, stage="page", error=f"{REFUSED_PREFIX}{exc}")
    except DigestError as exc:
        log.warning("page %s failed: %s", entry.url, exc, extra=progress.failure("pages"))
        return "", entry.url, Failure(url=entry.url, stage="page", error=str(exc))
    return result.text or "", result.url, None


class _Page(NamedTuple):
    """A fetched page (empty html if the fetch failed) and the entry it belongs to."""

    entry: FeedEntry
    html: str
    final_url: str


def _extract_into(
    outcome: PageOutcome,
    page: _Page,
    worker: BoundedWorker,
    *,
    tz: ZoneInfo,
    now: datetime,
    min_chars: int,
) -> None:
    """Extract one page in the bounded worker; any failure is this page's alone."""
    entry = page.entry
    options = {"entry": entry, "final_url": page.final_url, "first_seen": now, "tz": tz}
    try:
        extracted: ExtractResult | None = worker.call(
            extract_article, page.html, min_chars=min_chars, **options
        )
    except BoundExceededError as exc:
        log.warning("extraction of %s stopped: %s", entry.url, exc)
        outcome.failures.append(Failure(url=entry.url, stage="extract", error=f"extraction {exc}"))
        extracted = _feed_only(entry, now, tz, min_chars, f"extraction {exc}")
    except ExtractError as exc:
        if page.html:  # a fetch failure is already recorded; don't report it twice
            outcome.failures.append(Failure(url=entry.url, stage="extract", error=str(exc)))
        return
    except Exception as exc:  # a bug on one page must not stop the batch
        log.exception("extraction crashed on %s", entry.url, extra=progress.failure("pages"))
        outcome.failures.append(Failure(url=entry.url, stage="extract", error=repr(exc)))
        return
    if extracted is not None:
        outcome.articles.append(extracted.article)
        if extracted.note:
            outcome.notes[entry.url] = extracted.note


def _feed_only(
    entry: FeedEntry, now: datetime, tz: ZoneInfo, min_chars: int, why: str
) -> ExtractResult | None:
    """The article from the feed entry's own text, when its page could not be extracted."""
    try:
        result = extract_article(
            "", entry=entry, final_url=entry.url, first_seen=now, tz=tz, min_chars=min_chars
        )
    except ExtractError:
        return None
    note = f"{why}; used the feed's content"
    return result.model_copy(update={"note": note})

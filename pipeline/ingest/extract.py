"""Extract stage: an article's main text and metadata from its page, the feed as fallback.

Pure functions over an HTML string: trafilatura never fetches anything here. The page
is parsed under size caps (pagetree), hidden elements are removed before extraction
(hidden) and invisible characters after it, so text a reader cannot see does not reach
the LLM (prompt-injection defence). The text comes from the first good setting of a
ladder (maintext); traditional Chinese is converted to simplified only when the page
is traditional Chinese.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement
from pydantic import BaseModel
from trafilatura.settings import Document

from pipeline.errors import ExtractError
from pipeline.ingest.charset import simplify, to_simplified
from pipeline.ingest.hidden import Hidden, find_hidden, largest, remove_hidden
from pipeline.ingest.maintext import MainText, main_text
from pipeline.ingest.pagemeta import Needs, read_metadata
from pipeline.ingest.pagetree import parse_page
from pipeline.models import Article, FeedEntry, article_id

logger = logging.getLogger(__name__)

TextSource = Literal["page", "feed"]
DateSource = Literal["feed", "page", "first_seen"]

# Zero-width characters and bidi controls: invisible to readers, used to smuggle or
# reorder text. U+2066–U+2069 (bidi isolates) are bidi controls too.
INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
SPACES_RE = re.compile(r"\s+")
AUTHOR_PREFIX_RE = re.compile(r"^(?:作者\s*[:：]|by\s)\s*", re.IGNORECASE)
CONTENT_LANGUAGE_XPATH = (
    "/html/head/meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')"
    "='content-language']/@content"
)
ALL_NEEDS = Needs()

# The page text is replaced by the feed's when it is under this share of the feed's:
# the extractor most likely caught a teaser, a cookie wall or a fragment.
MIN_SHARE_OF_FEED = 0.6

MAX_DATE_SLACK = timedelta(days=366)

# An article longer than this is cut (and noted): no news story needs more, and the LLM
# input is bounded far below it anyway.
MAX_ARTICLE_CHARS = 100_000
# When hidden-element removal leaves less text than this, the page may hide its article
# (an app shell with the text in <noscript>, or shown by a script): retry with it kept.
HIDDEN_RETRY_CHARS = 200


class ExtractResult(BaseModel):
    """An extracted article and, when the feed's text stood in for the page's, why."""

    article: Article
    note: str | None = None


@dataclass(frozen=True)
class PageContent:
    """What the page itself says: cleaned main text and metadata."""

    text: str = ""
    title: str = ""
    date: datetime | None = None
    site_name: str | None = None
    author: str | None = None
    image: str | None = None
    boilerplate: bool = False  # the text misses most of the page's key passages
    notes: tuple[str, ...] = ()  # what happened on the way (cuts, hidden text kept …)


def strip_invisible(text: str) -> str:
    """Remove zero-width and bidi control characters."""
    return INVISIBLE_RE.sub("", text)


def clean_text(text: str) -> str:
    """Strip invisible characters and normalise whitespace, one paragraph per line."""
    lines = (SPACES_RE.sub(" ", line).strip() for line in strip_invisible(text).splitlines())
    return "\n".join(line for line in lines if line)


def clean_line(text: str | None) -> str:
    """Clean a one-line field such as a title."""
    return SPACES_RE.sub(" ", strip_invisible(text or "")).strip()


def read_page(
    html: str, url: str, *, tz: ZoneInfo, max_date: date, needs: Needs = ALL_NEEDS
) -> PageContent:
    """Main text and metadata of a page, with hidden content removed; empty if unreadable."""
    tree, notes = parse_page(html)
    if tree is None:
        return PageContent(notes=tuple(notes))
    lang = declared_language(tree)
    hidden = find_hidden(tree)
    if removed := remove_hidden(hidden):
        logger.debug("%s: removed %d hidden elements", url, removed)
    meta = read_metadata(tree, url, max_date, needs)
    body = main_text(tree, url, clean_text)
    if len(body.text) < HIDDEN_RETRY_CHARS and _hides_more(hidden, body.text):
        body, kept = _with_hidden_kept(html, url, body)
        notes += [f"text came from an element hidden from readers ({kept})"] if kept else []
    return _page_content(body, meta, lang, url, tz, notes)


def _page_content(
    body: MainText, meta: Document, lang: str | None, url: str, tz: ZoneInfo, notes: list[str]
) -> PageContent:
    """The page's content: text in simplified Chinese if it was traditional, capped."""
    text, converted = to_simplified(body.text, lang)
    if len(text) > MAX_ARTICLE_CHARS:
        text = text[:MAX_ARTICLE_CHARS]
        notes.append(f"article cut at {MAX_ARTICLE_CHARS:,} characters")
    fields = (clean_line(meta.title), clean_line(meta.sitename), clean_line(meta.author))
    title, site_name, author = (simplify(f) for f in fields) if converted else fields
    return PageContent(
        text=text,
        title=title,
        date=parse_page_date(meta.date, tz),
        site_name=site_name or None,
        author=AUTHOR_PREFIX_RE.sub("", author) or None,
        image=http_url(meta.image, url),
        boilerplate=body.boilerplate,
        notes=tuple(notes),
    )


def declared_language(tree: HtmlElement) -> str | None:
    """The page's declared language (``<html lang>``, then Content-Language), if any."""
    declared = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not declared:
        values = tree.xpath(CONTENT_LANGUAGE_XPATH)
        declared = str(values[0]) if values else ""
    return declared.strip() or None


def _hides_more(hidden: list[Hidden], text: str) -> bool:
    """Whether a hidden element (removed, its text still readable) holds clearly more text
    than what was extracted without it."""
    biggest = largest(hidden)
    size = len(biggest.element.text_content()) if biggest else 0
    return size >= max(HIDDEN_RETRY_CHARS, 2 * len(text))


def _with_hidden_kept(html: str, url: str, body: MainText) -> tuple[MainText, str | None]:
    """The text with the largest hidden element kept, if that gives clearly more; and why
    it was hidden (None when the first text stands)."""
    tree, _ = parse_page(html)
    hidden = find_hidden(tree) if tree is not None else []
    keep: Hidden | None = largest(hidden)
    if tree is None or keep is None:
        return body, None
    remove_hidden(hidden, keep=keep.element)
    retried = main_text(tree, url, clean_text)
    if len(retried.text) < max(HIDDEN_RETRY_CHARS / 2, 1.5 * len(body.text)):
        return body, None
    logger.warning("%s: article text taken from a hidden element (%s)", url, keep.reason)
    return retried, keep.reason


def parse_page_date(value: str | None, tz: ZoneInfo) -> datetime | None:
    """A page's date string as an aware datetime; naive values are taken as in tz."""
    try:
        parsed = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def http_url(value: str | None, base: str) -> str | None:
    """The value resolved against base if it is an http(s) URL, else None."""
    if not value or not value.strip():
        return None
    resolved = urljoin(base, value.strip())
    parts = urlsplit(resolved)
    return resolved if parts.scheme in ("http", "https") and parts.netloc else None


def choose_text(
    page: str, feed: str, min_chars: int, *, boilerplate: bool = False
) -> tuple[str, TextSource, str | None]:
    """The text to keep (page or feed), its source, and a note when it is not the page's
    or looks unfit (short, or mostly boilerplate)."""
    if not page:
        return feed, "feed", "extraction empty; used the feed's content" if feed else None
    if len(page) < MIN_SHARE_OF_FEED * len(feed):
        return feed, "feed", "extracted text much shorter than the feed's; used the feed's content"
    if boilerplate and len(feed) > min(len(page), min_chars):
        note = "extracted text looks like boilerplate (it misses the page's main passages); "
        return feed, "feed", note + "used the feed's content"
    if len(page) < min_chars and len(feed) > len(page):
        note = f"extracted text under {min_chars} characters; used the feed's longer content"
        return feed, "feed", note
    if boilerplate:
        return (
            page,
            "page",
            "extracted text looks like boilerplate (it misses the page's main passages)",
        )
    if len(page) < min_chars:
        return page, "page", f"extracted text is short ({len(page)} characters)"
    return page, "page", None


def drop_title_line(text: str, titles: tuple[str, ...]) -> str:
    """The text without a first line that only repeats the headline (pages often keep their h1)."""
    first, _, rest = text.partition("\n")
    key = _squash(first)
    if key and any(key == _squash(t) for t in titles if t):
        return rest.lstrip("\n")
    return text


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def choose_date(
    entry: FeedEntry, page_date: datetime | None, first_seen: datetime
) -> tuple[datetime, DateSource]:
    """The article's date: the feed's, else the page's unless after first_seen, else first_seen."""
    if entry.published is not None:
        return entry.published, "feed"
    if page_date is not None and page_date <= first_seen:
        return page_date, "page"
    return first_seen, "first_seen"


def extract_article(
    html: str,
    *,
    entry: FeedEntry,
    final_url: str,
    first_seen: datetime,
    tz: ZoneInfo,
    min_chars: int = 200,
) -> ExtractResult:
    """Build a feed entry's Article from its page's HTML; raise ExtractError if no text at all."""
    if first_seen.tzinfo is None:
        first_seen = first_seen.replace(tzinfo=tz)
    # A loose bound: htmldate turns a date past max_date into a guessed first of the month,
    # so later-than-first_seen dates are let through and rejected in choose_date instead.
    max_date = (first_seen.astimezone(tz) + MAX_DATE_SLACK).date()
    needs = Needs(date=entry.published is None)
    page = read_page(html, final_url, tz=tz, max_date=max_date, needs=needs)
    title = clean_line(entry.title) or page.title or entry.url
    body = drop_title_line(page.text, (title, page.title))
    feed_text = clean_text(entry.summary)
    text, text_source, note = choose_text(body, feed_text, min_chars, boilerplate=page.boilerplate)
    note = "; ".join(filter(None, (note, *page.notes))) or None
    if not text:
        raise ExtractError(f"no text: neither the page nor the feed entry of {entry.url} has any")
    published, date_source = choose_date(entry, page.date, first_seen)
    article = Article(
        id=article_id(entry.url),
        url=entry.url,
        source=entry.source,
        lang=entry.lang,
        title=title,
        published=published,
        date_source=date_source,
        text=text,
        text_source=text_source,
        site_name=page.site_name,
        author=clean_line(entry.author) or page.author,
        image=page.image or http_url(entry.image, final_url),
        first_seen=first_seen,
    )
    if note:
        logger.info("%s: %s", entry.url, note)
    return ExtractResult(article=article, note=note)

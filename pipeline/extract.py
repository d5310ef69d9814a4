"""Extract stage: an article's main text and metadata from its page, the feed as fallback.

Pure functions over an HTML string: trafilatura never fetches anything here. Hidden
elements are removed before extraction and invisible characters after it, so text a
reader cannot see does not reach the LLM (prompt-injection defence).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import trafilatura
from lxml.html import HtmlElement
from pydantic import BaseModel
from trafilatura.settings import Document

from pipeline.errors import ExtractError
from pipeline.models import Article, FeedEntry, article_id

logger = logging.getLogger(__name__)

TextSource = Literal["page", "feed"]
DateSource = Literal["feed", "page", "first_seen"]

# Zero-width characters and bidi controls: invisible to readers, used to smuggle or
# reorder text. U+2066–U+2069 (bidi isolates) are bidi controls too.
INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
SPACES_RE = re.compile(r"\s+")
ZERO_LENGTH_RE = re.compile(r"(?:0+(?:\.0*)?|\.0+)(?:[a-z]+|%)?")
AUTHOR_PREFIX_RE = re.compile(r"^(?:作者\s*[:：]|by\s)\s*", re.IGNORECASE)

# Elements a browser never shows; inline styles that hide are checked separately.
HIDDEN_XPATH = "//*[@hidden] | //*[@aria-hidden='true'] | //template | //noscript"
HIDDEN_STYLES: dict[str, re.Pattern[str]] = {
    "display": re.compile("none"),
    "visibility": re.compile("hidden|collapse"),
    "font-size": ZERO_LENGTH_RE,
    "opacity": ZERO_LENGTH_RE,
}

# The page text is replaced by the feed's when it is under this share of the feed's:
# the extractor most likely caught a teaser, a cookie wall or a fragment.
MIN_SHARE_OF_FEED = 0.6

MAX_DATE_SLACK = timedelta(days=366)

# Precision over recall: a missing paragraph costs less than a comment or an ad in the
# LLM's input. Tables stay out: on news pages they are mostly layout or link lists.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": False,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,  # trafilatura's dedup cache is process-global state
    "with_metadata": False,  # metadata is read separately, so a failed body keeps it
}


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


def is_hidden_style(style: str) -> bool:
    """True if an inline style hides its element from readers."""
    for declaration in style.lower().split(";"):
        prop, _, value = declaration.partition(":")
        pattern = HIDDEN_STYLES.get(prop.strip())
        if pattern and pattern.fullmatch(value.replace("!important", "").strip()):
            return True
    return False


def strip_hidden(tree: HtmlElement) -> int:
    """Remove, in place, the elements a reader cannot see; return how many."""
    hidden = list(tree.xpath(HIDDEN_XPATH))
    hidden += [el for el in tree.xpath("//*[@style]") if is_hidden_style(el.get("style", ""))]
    dropped = 0
    for element in hidden:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the element's tail, which is visible text
            dropped += 1
    return dropped


def read_page(html: str, url: str, *, tz: ZoneInfo, max_date: date) -> PageContent:
    """Main text and metadata of a page, with hidden content removed; empty if unreadable."""
    tree = trafilatura.load_html(html) if html.strip() else None
    if tree is None:
        return PageContent()
    removed = strip_hidden(tree)
    if removed:
        logger.debug("%s: removed %d hidden elements", url, removed)
    text = _main_text(tree, url)
    meta = _metadata(tree, url, max_date)
    return PageContent(
        text=text,
        title=clean_line(meta.title),
        date=parse_page_date(meta.date, tz),
        site_name=clean_line(meta.sitename) or None,
        author=AUTHOR_PREFIX_RE.sub("", clean_line(meta.author)) or None,
        image=http_url(meta.image, url),
    )


def _main_text(tree: HtmlElement, url: str) -> str:
    try:
        document = trafilatura.bare_extraction(tree, url=url, **TRAFILATURA_OPTIONS)
    except Exception as exc:  # odd markup breaks trafilatura's fallbacks in assorted ways
        logger.warning("%s: text extraction failed: %s", url, exc)
        return ""
    return clean_text(document.text or "") if isinstance(document, Document) else ""


def _metadata(tree: HtmlElement, url: str, max_date: date) -> Document:
    # No extensive search: it takes "© 2025" in a footer for a publication date.
    date_config = {
        "original_date": True,
        "extensive_search": False,
        "max_date": max_date.isoformat(),
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    }
    try:
        return trafilatura.extract_metadata(tree, default_url=url, date_config=date_config)
    except Exception as exc:  # metadata is optional: a broken page still gives its text
        logger.warning("%s: metadata extraction failed: %s", url, exc)
        return Document()


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


def choose_text(page: str, feed: str, min_chars: int) -> tuple[str, TextSource, str | None]:
    """The text to keep (page or feed), its source, and a note when it is not the page's."""
    if not page:
        return feed, "feed", "extraction empty; used the feed's content" if feed else None
    if len(page) < MIN_SHARE_OF_FEED * len(feed):
        return feed, "feed", "extracted text much shorter than the feed's; used the feed's content"
    if len(page) < min_chars and len(feed) > len(page):
        note = f"extracted text under {min_chars} characters; used the feed's longer content"
        return feed, "feed", note
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
    page = read_page(html, final_url, tz=tz, max_date=max_date)
    title = clean_line(entry.title) or page.title or entry.url
    body = drop_title_line(page.text, (title, page.title))
    text, text_source, note = choose_text(body, clean_text(entry.summary), min_chars)
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

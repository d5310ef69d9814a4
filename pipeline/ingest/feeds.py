"""Feed parsing (RSS, Atom, JSON Feed) and OPML import/export: pure functions over bytes.

Bad input degrades, never crashes: a broken feed yields what can be salvaged plus a
readable warning. feedparser only ever sees bytes (wrapped in a stream), so it never
fetches a URL or opens a file itself.
"""

from __future__ import annotations

import html
import io
import json
import logging
import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import feedparser
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring as defused_fromstring
from pydantic import BaseModel, Field, ValidationError

from pipeline.errors import ConfigError
from pipeline.ingest.charset import is_traditional, simplify
from pipeline.ingest.urls import canonicalize_url
from pipeline.models import MAX_SOURCE_NAME, MAX_SOURCE_WEIGHT, FeedEntry, Lang, Source

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
FUTURE_TOLERANCE = timedelta(hours=1)  # clock skew we forgive before calling a date bogus
MIN_YEAR = 1995  # no web feed is older; earlier years are parse accidents
DATE_KEYS = ("published", "updated", "created")

ZH_DATE_RE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
ISO_DATE_RE = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.I,
)
CST_RE = re.compile(r"\bCST\b")
HTML_START_RE = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*>")
ANY_XML_DECL_RE = re.compile(rb"<\?xml\s[^>]*>")
# The root element of an RSS 0.9x/2.0, Atom or RSS 1.0 (RDF) feed, and what may precede it.
FEED_ROOT_RE = re.compile(rb"<(?:rss|feed|(?:rdf:)?RDF)[\s>]", re.I)
FEED_ROOT_WINDOW = 65536  # bytes searched for the root: junk is a doctype or a few warnings
PROLOG_RE = re.compile(
    rb"\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE\s+(?:rss|feed|rdf)[^>]*>\s*)*", re.I | re.S
)
# A year written 0000–0999 ("Mon, 01 Jan 0001"): a placeholder (Hugo's zero date), not a date.
PLACEHOLDER_YEAR_RE = re.compile(r"(?<![\d.:+\-])0\d{3}(?![\d:])")
GB_DECL_RE = re.compile(rb"(<\?xml[^>]*encoding=[\"'])(gb2312|gbk)([\"'])", re.I)
DROP_BLOCK_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
TAG_RE = re.compile(r"<[^>]*>")
BREAK_RE = re.compile(r"</?(?:br|p|div|li|ul|ol|h\d|tr|td|blockquote|figure)\b[^>]*>", re.I)
IMG_RE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)
# C0 (but tab), DEL and C1 controls: invisible in a name, and DEL is invalid in TOML
CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
SPACE_RE = re.compile(r"\s+")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class _RawItem:
    """One entry as the feed gave it (HTML strings, raw dates), before cleaning."""

    link: object
    base: str
    key: str  # guid/id as the feed gave it; "" if none
    title: str
    summary: str
    content: str
    author: str | None
    dates: list[str]
    images: list[str]


class ParsedFeed(BaseModel):
    """What a feed yielded: its entries, its title, and a readable warning if it was broken."""

    entries: list[FeedEntry] = Field(default_factory=list)
    warning: str | None = None
    title: str = ""
    future_dates: list[str] = Field(default_factory=list)  # "url: raw date" of ignored dates
    rejected: dict[str, str] = Field(default_factory=dict)  # link → why it was refused
    damaged: bool = False  # not well-formed: what was salvaged may miss entries


# --- feeds ---------------------------------------------------------------------------


def parse_feed(
    content: bytes, source: Source, *, now: datetime, tz: ZoneInfo, url: str | None = None
) -> ParsedFeed:
    """Parse feed bytes (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into plain-text entries.

    ``url`` is where the bytes came from (after redirects; default the source's URL):
    relative links resolve against it, through the channel's link and ``xml:base``.
    """
    body = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body:
        return ParsedFeed(warning="empty response")
    feed_url = url or source.url
    if body.startswith(b"{"):
        return _parse_json_feed(body, source, now=now, tz=tz, feed_url=feed_url)
    body = _from_feed_root(body)
    if HTML_START_RE.match(body[:4096]):
        return ParsedFeed(warning="not a feed (looks like HTML)")
    return _parse_xml_feed(body, source, now=now, tz=tz, feed_url=feed_url)


def _from_feed_root(body: bytes) -> bytes:
    """The feed from its root element on, whatever junk precedes it (an HTML doctype, PHP
    warnings); the XML declaration is kept, since it names the encoding."""
    match = FEED_ROOT_RE.search(body[:FEED_ROOT_WINDOW])
    if match is None or not body[: match.start()].strip(b" \t\r\n"):
        return body
    prolog = body[: match.start()]
    if PROLOG_RE.fullmatch(prolog):
        return body  # only an XML declaration, comments and processing instructions
    declaration = ANY_XML_DECL_RE.search(prolog)
    logger.info("dropped %d bytes before the feed's root element", match.start())
    return (declaration.group(0) if declaration else b"") + body[match.start() :]


def _parse_xml_feed(
    body: bytes, source: Source, *, now: datetime, tz: ZoneInfo, feed_url: str
) -> ParsedFeed:
    try:
        parsed = _run_feedparser(body)
    except (ValueError, LookupError) as exc:
        return ParsedFeed(warning=f"not a feed (unreadable: {exc})")
    if not parsed.version and not parsed.entries:
        reason = _bozo_message(parsed) or "unrecognised format"
        return ParsedFeed(warning=f"not a feed ({reason})")
    base = _base_url(_text(parsed.feed.get("link")), feed_url)
    feed = ParsedFeed(title=_plain(_text(parsed.feed.get("title"))))
    raw_items = [_feedparser_item(entry, base) for entry in parsed.entries]
    _collect(feed, raw_items, source, now=now, tz=tz)
    if parsed.get("bozo"):
        feed.warning = _bozo_message(parsed)
        feed.damaged = hasattr(parsed.get("bozo_exception"), "getLineNumber")
    return feed


def _base_url(channel_link: str, feed_url: str) -> str:
    """The base for entry links: the channel's link resolved against the feed's URL (a
    relative ``<link>/</link>`` is common), or the feed's URL if that gives no http(s) URL."""
    return _http_url(channel_link, feed_url) or feed_url


def _run_feedparser(body: bytes) -> Any:
    """feedparser over bytes, never a URL; an XML declaration it chokes on is dropped."""
    # GB2312/GBK declarations are widened to GB18030, which decodes every GBK byte sequence.
    body = GB_DECL_RE.sub(rb"\1gb18030\3", body, count=1)
    try:
        return feedparser.parse(io.BytesIO(body))
    except (ValueError, LookupError) as exc:  # e.g. a garbled encoding name in the declaration
        logger.info("feedparser failed (%s); retrying without the XML declaration", exc)
        return feedparser.parse(io.BytesIO(XML_DECL_RE.sub(b"", body, count=1)))


def _feedparser_item(entry: Any, base: str) -> _RawItem:
    """The fields we use from one feedparser entry, as plain Python values."""
    contents = [_text(c.get("value")) for c in entry.get("content", [])]
    return _RawItem(
        link=_feedparser_link(entry),
        base=base,
        key=_text(entry.get("id")).strip(),
        title=_text(entry.get("title")),
        summary=_text(entry.get("summary")),
        content=max(contents, key=len, default=""),
        author=_str_or_none(entry.get("author")),
        dates=[entry[key] for key in DATE_KEYS if isinstance(entry.get(key), str)],
        images=[url for url in _media_images(entry) if isinstance(url, str)],
    )


def _text(value: object) -> str:
    """A string field of a damaged feed may come back as None: read that as empty."""
    return value if isinstance(value, str) else ""


def _feedparser_link(entry: Any) -> str | None:
    """The entry's link; a guid stands in for it only if it is an absolute http(s) URL.

    feedparser copies an RSS ``<guid>`` into ``link`` when the item has none, even when
    the guid is an opaque id such as ``post-42``: that is no link to publish.
    """
    link = _text(entry.get("link"))
    from_guid = entry.get("guidislink") and not entry.get("links")
    if link and not from_guid:
        return link
    guid = _text(entry.get("id")).strip()
    return guid if guid.startswith(("http://", "https://")) else None


def _media_images(entry: Any) -> Iterator[str]:
    for media in [*entry.get("media_content", []), *entry.get("media_thumbnail", [])]:
        kind = media.get("medium") or media.get("type") or "image"
        if kind.startswith("image") and media.get("url"):
            yield media["url"]
    for enclosure in entry.get("enclosures", []):
        if enclosure.get("type", "").startswith("image/") and enclosure.get("href"):
            yield enclosure["href"]


def _bozo_message(parsed: Any) -> str | None:
    """feedparser's bozo exception, said so an editor understands it."""
    exc = parsed.get("bozo_exception")
    if exc is None:
        return None
    if hasattr(exc, "getLineNumber"):
        return (
            f"malformed XML at line {exc.getLineNumber()}, column {exc.getColumnNumber()}: "
            f"{exc.getMessage()}"
        )
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return f"wrong character encoding declared ({exc})"
    return f"feed problem: {exc}"


def _parse_json_feed(
    body: bytes, source: Source, *, now: datetime, tz: ZoneInfo, feed_url: str
) -> ParsedFeed:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return ParsedFeed(warning=f"not a feed (invalid JSON: {exc})")
    except RecursionError:  # e.g. 200,000 nested arrays: the parser gives up, so do we
        return ParsedFeed(warning="not a feed (JSON nested too deeply)")
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return ParsedFeed(warning="not a feed (JSON without an 'items' list)")
    base = _base_url(_json_str(data.get("home_page_url")), feed_url)
    feed = ParsedFeed(title=_plain(_json_str(data.get("title"))))
    items = [_json_item(item, base) for item in data["items"] if isinstance(item, dict)]
    _collect(feed, items, source, now=now, tz=tz)
    return feed


def _json_item(item: dict[str, Any], base: str) -> _RawItem:
    """The fields we use from one JSON Feed item (version 1.0 or 1.1)."""
    authors = item.get("authors") or [item.get("author") or {}]
    first_author = authors[0] if isinstance(authors, list) and isinstance(authors[0], dict) else {}
    content = item.get("content_html") or html.escape(_json_str(item.get("content_text")))
    dates = [item.get("date_published"), item.get("date_modified")]
    images = [item.get("image"), item.get("banner_image")]
    return _RawItem(
        link=item.get("url") or item.get("external_url"),
        base=base,
        key=_json_str(item.get("id")).strip(),
        title=_json_str(item.get("title")),
        summary=html.escape(_json_str(item.get("summary"))),
        content=_json_str(content),
        author=_str_or_none(first_author.get("name")),
        dates=[d for d in dates if isinstance(d, str)],
        images=[i for i in images if isinstance(i, str)],
    )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _json_str(value: object) -> str:
    """A JSON scalar as text; a nested object or list (bad data) reads as empty."""
    return str(value) if isinstance(value, str | int | float) and value is not False else ""


def _collect(
    feed: ParsedFeed,
    items: Iterable[_RawItem],
    source: Source,
    *,
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Turn raw items into FeedEntry records, skipping unusable links and repeated entries.

    An entry is identified by its guid/id, else by its link. Entries whose links differ
    only by their ``#fragment`` (one page, several items) keep the fragment, so each
    stays a separate entry; two entries with one link and no telling id are one.
    """
    keys: set[str] = set()
    urls: set[str] = set()
    for item in items:
        url = _entry_url(item.link, item.base)
        if url is None:
            _reject(feed, item.link)
            continue
        key = item.key or url
        if key in keys:
            continue
        keys.add(key)
        url = _distinct_url(url, item, urls)
        if url is None:
            continue
        urls.add(url)
        published, future = _entry_date(item.dates, source.lang, now=now, tz=tz)
        if future:
            feed.future_dates.append(f"{url}: {future}")
            logger.warning("%s: ignored future date %r of %s", source.name, future, url)
        feed.entries.append(_entry(item, url, published, source))
    if source.lang == "zh":
        feed.entries = _simplified(feed.entries)


def _distinct_url(url: str, item: _RawItem, taken: set[str]) -> str | None:
    """The entry's URL, with its fragment if another entry has the same page; None if
    even that is taken (the same link twice under different ids)."""
    if url not in taken:
        return url
    fragment = urlsplit(_http_url(str(item.link), item.base) or "").fragment
    with_fragment = f"{url}#{fragment}" if fragment else url
    if with_fragment in taken:
        logger.info("entry %r repeats the link %s of another entry; skipped", item.key, url)
        return None
    return with_fragment


def _reject(feed: ParsedFeed, link: object) -> None:
    """Remember an entry link that cannot be fetched or published (file:, javascript:, …)."""
    if not isinstance(link, str) or not link.strip():
        return  # an entry without a link is not a refusal: there is nothing to refuse
    link = link.strip()
    scheme = link.split(":", 1)[0].lower() if ":" in link else ""
    refused_scheme = scheme.isalpha() and scheme not in ("http", "https")
    reason = f"scheme '{scheme}' not allowed" if refused_scheme else "not a valid http(s) link"
    feed.rejected[link[:300]] = reason
    logger.warning("refused entry link %r: %s", link[:300], reason)


def _simplified(entries: list[FeedEntry]) -> list[FeedEntry]:
    """The entries in simplified Chinese, if the feed as a whole is in traditional Chinese."""
    if not is_traditional(" ".join(f"{e.title} {e.summary[:300]}" for e in entries)):
        return entries
    return [
        e.model_copy(update={"title": simplify(e.title), "summary": simplify(e.summary)})
        for e in entries
    ]


def _entry(item: _RawItem, url: str, published: datetime | None, source: Source) -> FeedEntry:
    title, summary, content = _plain(item.title), _plain(item.summary), _plain(item.content)
    if len(content) > len(summary):
        summary = content
    images = [*item.images, *IMG_RE.findall(item.content or item.summary)]
    return FeedEntry(
        source=source.name,
        lang=source.lang,
        url=url,
        title=title or summary[:60],
        published=published,
        summary=summary,
        author=_plain(item.author or "") or None,
        image=next(filter(None, (_http_url(i, url) for i in images)), None),
    )


def _entry_url(link: object, base: str) -> str | None:
    """The entry's canonical link, resolved against the feed's link; None unless http(s)."""
    if not isinstance(link, str) or not link.strip():
        return None
    url = _http_url(link, base)
    return canonicalize_url(url) if url else None


def _http_url(link: str, base: str) -> str | None:
    """The link made absolute, if it is a valid http(s) URL; None otherwise."""
    try:
        url = urljoin(base, html.unescape(link.strip()))
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # e.g. "http://[::1" or a port above 65535
        return None
    return url if valid else None


def _entry_date(
    raws: list[str], lang: Lang, *, now: datetime, tz: ZoneInfo
) -> tuple[datetime | None, str | None]:
    """The first parseable date of an entry, or (None, raw) when that date is in the future."""
    for raw in raws:
        parsed = parse_date(raw, lang=lang, tz=tz)
        if parsed is not None:
            return (None, raw) if parsed > now + FUTURE_TOLERANCE else (parsed, None)
    return None, None


def _plain(fragment: str) -> str:
    """HTML fragment → plain text: no tags, entities unescaped, whitespace collapsed."""
    text = DROP_BLOCK_RE.sub(" ", fragment)
    text = TAG_RE.sub("", BREAK_RE.sub(" ", text))  # inline tags join: 国内<b>最大</b>
    return SPACE_RE.sub(" ", html.unescape(text)).strip()


# --- dates ---------------------------------------------------------------------------


def parse_date(
    raw: str, *, lang: Lang, tz: ZoneInfo, now: datetime | None = None
) -> datetime | None:
    """An aware datetime (in tz) from a feed's date string, or None if unusable.

    Chinese sources: ``CST`` is China Standard Time and a date without zone is in
    Asia/Shanghai; English sources: a date without zone is UTC. With ``now``, a date
    more than an hour ahead of it is logged and refused.
    """
    raw = SPACE_RE.sub(" ", raw or "").strip()
    if not raw or PLACEHOLDER_YEAR_RE.search(raw):
        return None
    default_zone: tzinfo = SHANGHAI if lang == "zh" else UTC
    if lang == "zh":
        raw = CST_RE.sub("+0800", raw)
    parsed = _parse_any(raw, default_zone)
    if parsed is None or parsed.year < MIN_YEAR:
        return None
    if now is not None and parsed > now + FUTURE_TOLERANCE:
        logger.warning("ignored future date %r (now %s)", raw, now.isoformat())
        return None
    return parsed.astimezone(tz)


def _parse_any(raw: str, zone: tzinfo) -> datetime | None:
    try:
        parsed = _parse_zh(raw) or _parse_iso(raw) or _parse_loose(raw)
    except (ValueError, OverflowError):
        return None  # one of our own formats, with impossible values (2026年13月45日)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _parse_loose(raw: str) -> datetime | None:
    """RFC 822, then feedparser's many formats; tried only when ours do not match."""
    for parser in (_parse_rfc822, _parse_feedparser):
        try:
            parsed = parser(raw)
        except (ValueError, TypeError, OverflowError, IndexError):
            continue
        if parsed is not None:
            return parsed
    return None


def _parse_zh(raw: str) -> datetime | None:
    match = ZH_DATE_RE.search(raw)
    return _from_groups(match.groups()) if match else None


def _parse_iso(raw: str) -> datetime | None:
    match = ISO_DATE_RE.match(raw)
    if not match:
        return None
    naive = _from_groups(match.groups()[:6])
    zone = (match.group(7) or "").upper()
    if not zone:
        return naive
    if zone in ("Z", "UTC", "GMT"):
        return naive.replace(tzinfo=UTC)
    return datetime.fromisoformat(f"{naive.isoformat()}{zone[:3]}:{zone[-2:]}")


def _from_groups(groups: tuple[str | None, ...]) -> datetime:
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in groups[:6])
    return datetime(year, month, day, hour, minute, second)


def _parse_rfc822(raw: str) -> datetime | None:
    return parsedate_to_datetime(raw)


def _parse_feedparser(raw: str) -> datetime | None:
    """Last resort: feedparser's many date formats (it answers in UTC)."""
    parsed: time.struct_time | None = feedparser.datetimes._parse_date(raw)
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


# --- OPML ----------------------------------------------------------------------------


def parse_opml(content: bytes) -> list[Source]:
    """The feeds listed in an OPML file, at any nesting depth; ConfigError if not OPML."""
    root = _opml_root(content)
    sources: dict[str, Source] = {}
    for outline in root.iter("outline"):
        source = _outline_source(outline.attrib)
        if source and source.url not in sources:
            sources[source.url] = source
    return list(sources.values())


def _opml_root(content: bytes) -> ET.Element:
    """The parsed document; entity declarations are refused (they can expand to gigabytes)."""
    try:
        return defused_fromstring(content)
    except EntitiesForbidden as exc:
        raise ConfigError(
            f"refused: the file declares the XML entity {exc.name!r} "
            "(entities can expand to gigabytes; OPML needs none)"
        ) from exc
    except (DTDForbidden, ExternalReferenceForbidden) as exc:
        raise ConfigError("refused: the file refers to an external DTD or entity") from exc
    except ET.ParseError as exc:
        raise ConfigError(f"not an OPML file (not well-formed XML: {exc})") from exc


def _outline_source(attrs: dict[str, str]) -> Source | None:
    lowered = {key.lower(): CONTROL_RE.sub(" ", value).strip() for key, value in attrs.items()}
    url = lowered.get("xmlurl", "")
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    name = lowered.get("text") or lowered.get("title") or url
    try:
        return Source(
            name=name[:MAX_SOURCE_NAME],
            url=url,
            lang=_opml_lang(lowered.get("language"), name),
            weight=_weight(lowered.get("weight"), name),
        )
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ConfigError(f"feed {name[:80]!r}: {reason}") from exc


def _opml_lang(language: str | None, name: str) -> Lang:
    """The outline's language attribute; without one, zh if the name has Chinese characters."""
    if language:
        return "zh" if language.lower().startswith("zh") else "en"
    return "zh" if CJK_RE.search(name) else "en"


def _weight(value: str | None, name: str) -> float:
    """The outline's weight attribute: a finite number from 0 to 10 (default 1)."""
    if not value:
        return 1.0
    try:
        weight = float(value)
    except ValueError:
        weight = math.nan
    if not (0 <= weight <= MAX_SOURCE_WEIGHT):  # also refuses nan
        raise ConfigError(
            f"feed {name[:80]!r}: weight {value[:20]!r} is not a number from 0 to "
            f"{MAX_SOURCE_WEIGHT:g}"
        )
    return weight


def export_opml(sources: Iterable[Source], title: str = "AI digest sources") -> str:
    """An OPML 2.0 document listing the sources (``type="rss"``, with their language)."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for source in sources:
        attrs = {
            "type": "rss",
            "text": source.name,
            "title": source.name,
            "xmlUrl": source.url,
            "language": source.lang,
        }
        if source.weight != 1.0:
            attrs["weight"] = f"{source.weight:g}"
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"

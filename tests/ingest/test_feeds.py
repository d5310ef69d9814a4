"""Tests of ingest.feeds: feed parsing, dates, OPML; every bad input degrades, never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import ConfigError
from pipeline.ingest.feeds import ParsedFeed, export_opml, parse_date, parse_feed, parse_opml
from pipeline.models import Lang, Source
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 2, 6, 18, 0, tzinfo=SHANGHAI)
ZH = Source(name="科技前沿", url="https://www.example-tech.cn/rss", lang="zh")
EN = Source(name="Example", url="https://feed.example.com/rss", lang="en")


def parse(name: str, source: Source = EN) -> ParsedFeed:
    """Parse a fixture feed as of NOW."""
    return parse_feed((FEEDS / name).read_bytes(), source, now=NOW, tz=SHANGHAI)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    """An aware datetime in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, sec, tzinfo=SHANGHAI)


# --- formats -------------------------------------------------------------------------


def test_rss20_chinese_outlet() -> None:
    feed = parse("rss20_zh_cst_dates.xml", ZH)
    assert feed.warning is None
    assert feed.title == "科技前沿 - 最新资讯"
    assert [e.url for e in feed.entries] == [
        f"https://www.example-tech.cn/ai/2026/0206/100{i}.html" for i in (1, 2, 3, 4)
    ]  # tracking params and fragment dropped; the entry without a link skipped
    first = feed.entries[0]
    assert first.published == at(2026, 2, 6, 10, 30)  # CST is China time for zh sources
    assert first.summary.startswith("Anthropic 于 2 月 5 日发布新一代旗舰模型 Claude Opus 4.6，")
    assert "<" not in first.summary and "MRCR v2" in first.summary  # content beats description
    assert first.author == "张三"
    assert first.image == "https://img.example-tech.cn/2026/0206/opus-cover.jpg"
    assert first.source == "科技前沿" and first.lang == "zh"


def test_rss20_chinese_dates_and_entities() -> None:
    second, third, fourth = parse("rss20_zh_cst_dates.xml", ZH).entries[1:]
    assert second.published == at(2026, 2, 6)
    assert second.image == "https://img.example-tech.cn/2026/0206/qwen.png"  # enclosure
    assert third.published == at(2026, 2, 6, 10, 30)
    assert third.summary == "国内最大的国产算力池 & 智算中心。"
    assert fourth.published == at(2026, 2, 6, 10, 30)  # zone-less: Asia/Shanghai


def test_atom() -> None:
    feed = parse("atom_en.xml")
    first, second = feed.entries
    assert feed.title == "Example AI News"
    assert first.url == "https://news.example.com/2026/02/openai-codex"
    assert first.title == "OpenAI ships GPT-5.3-Codex & Frontier"
    assert first.published == datetime(2026, 2, 5, 23, 0, tzinfo=UTC)
    assert first.published is not None and first.published.tzinfo == SHANGHAI
    assert first.summary.startswith("OpenAI released GPT-5.3-Codex, a coding model")
    assert first.author == "Jane Doe"
    assert second.published == datetime(2026, 2, 6, 8, 15, tzinfo=UTC)  # only <updated>
    assert second.summary == "Amazon’s capital spending will reach $200 billion."


def test_rss10() -> None:
    (entry,) = parse("rss10_rdf.xml").entries
    assert entry.url == "https://research.example.org/notes/reasoning-models"
    assert entry.published == datetime(2026, 2, 4, 7, 30, tzinfo=UTC)
    assert entry.author == "R. Searcher"


def test_json_feed() -> None:
    feed = parse("jsonfeed_v1_1.json")
    first, second = feed.entries  # the item without URL and the non-object are skipped
    assert feed.warning is None and feed.title == "Example JSON Feed"
    assert first.url == "https://blog.example.net/posts/waymo-funding"
    assert first.summary == "Waymo raised $16 billion at a $126 billion valuation."
    assert first.image == "https://blog.example.net/img/waymo.jpg"
    assert first.author == "Alex Writer"
    assert second.url == "https://blog.example.net/posts/relative-link"
    assert second.title == "A text-only post without a title."
    assert second.published == datetime(2026, 2, 5, 12, 0, tzinfo=UTC)


def test_gbk_feed_declared_gb2312() -> None:
    (entry,) = parse("rss20_gbk_declared_gb2312.xml", ZH).entries
    assert entry.title == "朱镕基谈人工智能"
    assert entry.url == "http://old.example.cn/news/1.shtml"  # http is not upgraded


def test_big5_traditional_feed_comes_out_simplified() -> None:
    (entry,) = parse("rss20_big5_traditional.xml", ZH).entries
    assert entry.title.startswith("辉达发布新一代")
    assert "辉达周四宣布" in entry.summary


def test_traditional_text_left_alone_for_english_sources() -> None:
    (entry,) = parse("rss20_big5_traditional.xml", EN).entries
    assert entry.title.startswith("輝達發佈")


# --- bad input -----------------------------------------------------------------------


def test_malformed_feed_salvaged_with_warning() -> None:
    feed = parse("malformed_unclosed_tags.xml")
    assert feed.warning is not None and feed.warning.startswith("malformed XML at line 15")
    assert feed.entries[0].url == "https://broken.example.com/1"
    assert feed.entries[0].published == datetime(2026, 2, 5, 8, 0, tzinfo=UTC)


def test_html_instead_of_feed() -> None:
    feed = parse("html_instead_of_feed.html", ZH)
    assert feed.entries == [] and feed.warning == "not a feed (looks like HTML)"


def test_future_date_ignored_and_recorded() -> None:
    feed = parse("future_date.xml")
    assert [e.published for e in feed.entries] == [None, datetime(2026, 2, 6, 10, tzinfo=UTC)]
    assert feed.future_dates == [
        "https://future.example.com/next-year: Sat, 06 Feb 2027 10:00:00 GMT"
    ]


def test_unsafe_and_relative_links() -> None:
    feed = parse("unsafe_and_relative_links.xml")
    assert [e.url for e in feed.entries] == [
        "https://links.example.com/2026/02/relative.html",
        "https://links.example.com/news/item-7.html",
    ]  # file: and javascript: skipped, duplicate collapsed
    assert feed.entries[0].image == "https://links.example.com/2026/02/images/pic.jpg"


def test_relative_channel_link_resolves_against_the_feed_url() -> None:
    url = "https://relative.example.com/blog/index.xml"
    feed = parse_feed(
        (FEEDS / "relative_channel_link.xml").read_bytes(), EN, now=NOW, tz=SHANGHAI, url=url
    )
    assert [e.url for e in feed.entries] == [
        "https://relative.example.com/posts/root-relative/",
        "https://relative.example.com/posts/path-relative.html",
    ]  # the opaque guid "post-42" is not turned into a link
    assert all(e.published is not None for e in feed.entries)


def test_feed_url_defaults_to_the_source_url() -> None:
    feed = parse("relative_channel_link.xml")
    assert feed.entries[0].url == "https://feed.example.com/posts/root-relative/"


def test_feed_after_a_stray_html_doctype() -> None:
    feed = parse("atom_after_html_doctype.xml")
    assert feed.title == "Notes with a doctype"
    assert [e.url for e in feed.entries] == [
        "https://blog.example.org/notes/first-note/",  # xml:base applies
        "https://blog.example.org/notes/second-note/",
    ]
    assert feed.entries[0].published == datetime(2026, 2, 5, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "junk",
    [
        b"<!DOCTYPE html>\n",
        b"<br />\n<b>Warning</b>:  Cannot modify header information in <b>/var/www/feed.php</b>\n",
        b"\n\n<html><head></head><body>\n",
    ],
)
def test_feed_root_found_whatever_junk_precedes_it(junk: bytes) -> None:
    rss = (FEEDS / "rss20_zh_cst_dates.xml").read_bytes()
    feed = parse_feed(junk + rss, ZH, now=NOW, tz=SHANGHAI)
    assert len(feed.entries) == len(parse("rss20_zh_cst_dates.xml", ZH).entries) == 4


def test_fragment_links_with_distinct_ids_stay_separate_entries() -> None:
    feed = parse("fragment_links.xml")
    assert [(e.title, e.url) for e in feed.entries] == [
        ("v2.3.0", "https://docs.example.com/changelog"),
        ("v2.2.1", "https://docs.example.com/changelog#v2-2-1"),  # tracking query still dropped
        ("v2.2.0", "https://docs.example.com/changelog#v2-2-0"),
    ]  # the repeated v2.2.0 (same id) appears once


def test_same_link_without_ids_is_one_entry() -> None:
    items = "".join(
        f"<item><title>{t}</title><link>https://x.example/a{f}</link></item>"
        for t, f in (("one", ""), ("two", "?utm_source=rss"), ("three", "#top"))
    )
    content = f"<rss version='2.0'><channel>{items}</channel></rss>".encode()
    feed = parse_feed(content, EN, now=NOW, tz=SHANGHAI)
    assert [(e.title, e.url) for e in feed.entries] == [("one", "https://x.example/a")]


def test_placeholder_year_0001_dates_are_no_date() -> None:
    feed = parse("placeholder_dates.xml")
    assert [(e.title, e.published) for e in feed.entries] == [
        ("About", None),
        ("Projects", None),
        ("A dated post", datetime(2026, 2, 4, 8, 0, tzinfo=UTC)),
    ]


def test_json_feed_nested_200000_levels_deep_fails_alone() -> None:
    content = b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    feed = parse_feed(content, EN, now=NOW, tz=SHANGHAI)
    assert (feed.entries, feed.warning) == ([], "not a feed (JSON nested too deeply)")


def test_json_feed_relative_urls_and_odd_values() -> None:
    items = [
        {"id": 1, "url": "/p/1", "title": {"nested": "object"}, "date_published": "2026-02-05"},
        {"id": "2", "url": "p/2", "title": ["list"], "summary": 5},
    ]
    content = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    feed = parse_feed(
        content.encode(), EN, now=NOW, tz=SHANGHAI, url="https://j.example/f/feed.json"
    )
    assert [e.url for e in feed.entries] == ["https://j.example/p/1", "https://j.example/f/p/2"]
    assert feed.entries[1].summary == "5"


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        (b"", "empty response"),
        (b"  \n\xef\xbb\xbf ", "empty response"),
        (b"<html><body>hi</body></html>", "not a feed (looks like HTML)"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE html><html></html>', "not a feed (looks like HTML)"),
        (b"{not json", "not a feed (invalid JSON"),
        (b'{"title": "no items"}', "not a feed (JSON without an 'items' list)"),
        (b"\x00\x01\x02\xff\xfe binary junk", "not a feed"),
        (b"just some text", "not a feed"),
        (b"<?xml version='1.0'?><unknown><thing/></unknown>", "not a feed"),
    ],
)
def test_bad_input_gives_warning_not_exception(content: bytes, warning: str) -> None:
    feed = parse_feed(content, EN, now=NOW, tz=SHANGHAI)
    assert feed.entries == []
    assert feed.warning is not None and feed.warning.startswith(warning)


def test_invalid_links_skipped() -> None:
    items = "".join(
        f"<item><title>{i}</title><link>{link}</link></item>"
        for i, link in enumerate(
            ["http://[::1", "http://example.com:99999/", "https://ok.example/"]
        )
    )
    content = f"<rss version='2.0'><channel><link>https://x.example/</link>{items}</channel></rss>"
    feed = parse_feed(content.encode(), EN, now=NOW, tz=SHANGHAI)
    assert [e.url for e in feed.entries] == ["https://ok.example/"]


def test_truncated_feed_keeps_complete_items() -> None:
    content = (FEEDS / "rss20_zh_cst_dates.xml").read_bytes()
    cut = content[: content.index(b"<title>\xe4\xb8\xad\xe7\xa7\x91")]  # inside the 3rd item
    feed = parse_feed(cut, ZH, now=NOW, tz=SHANGHAI)
    assert feed.warning is not None
    assert len(feed.entries) >= 2


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [
        ("Fri, 06 Feb 2026 10:30:00 CST", "zh", at(2026, 2, 6, 10, 30)),
        ("Fri, 06 Feb 2026 10:30:00 CST", "en", at(2026, 2, 7, 0, 30)),  # US Central
        ("Fri, 06 Feb 2026 10:30:00 +0800", "en", at(2026, 2, 6, 10, 30)),
        ("Fri, 06 Feb 2026 02:30:00 GMT", "zh", at(2026, 2, 6, 10, 30)),
        ("Fri, 06 Feb 2026 10:30:00", "zh", at(2026, 2, 6, 10, 30)),
        ("Fri, 06 Feb 2026 02:30:00", "en", at(2026, 2, 6, 10, 30)),
        ("2026年02月06日", "zh", at(2026, 2, 6)),
        ("2026年2月6日 10:30", "zh", at(2026, 2, 6, 10, 30)),
        ("2026年2月6日 10时30分", "zh", at(2026, 2, 6, 10, 30)),
        ("2026年02月06日 10:30:15", "en", at(2026, 2, 6, 18, 30, 15)),
        ("2026-02-06 10:30:00", "zh", at(2026, 2, 6, 10, 30)),
        ("2026-02-06 02:30:00", "en", at(2026, 2, 6, 10, 30)),
        ("2026/02/06 10:30", "zh", at(2026, 2, 6, 10, 30)),
        ("2026-02-06", "zh", at(2026, 2, 6)),
        ("2026-02-06T02:30:00Z", "zh", at(2026, 2, 6, 10, 30)),
        ("2026-02-06T10:30:00.123+08:00", "en", at(2026, 2, 6, 10, 30)),
        ("2026-02-06T10:30:00+0800", "en", at(2026, 2, 6, 10, 30)),
        ("2026-02-05T21:30:00-05:00", "zh", at(2026, 2, 6, 10, 30)),
        ("  Fri,  06 Feb 2026\n10:30:00 +0800 ", "zh", at(2026, 2, 6, 10, 30)),
        ("", "zh", None),
        ("   ", "en", None),
        ("yesterday", "en", None),
        ("2026-13-45", "zh", None),
        ("2026年13月45日", "zh", None),
        ("Thu, 01 Jan 1970 00:00:00 GMT", "en", None),  # a zero timestamp, not a date
        ("Mon, 01 Jan 0001 00:00:00 +0000", "en", None),  # Hugo's zero date, not 2001
        ("Mon, 01 Jan 0001 00:00:00 UTC", "zh", None),
        ("0001-01-01T00:00:00Z", "en", None),
        ("0000-00-00 00:00:00", "zh", None),
        ("Fri, 06 Feb 2026 10:30:00 -0000", "en", at(2026, 2, 6, 18, 30)),  # zone, not a year
    ],
)
def test_parse_date(raw: str, lang: Lang, expected: datetime | None) -> None:
    assert parse_date(raw, lang=lang, tz=SHANGHAI) == expected


def test_parse_date_answers_in_the_given_zone() -> None:
    parsed = parse_date("2026-02-06T02:30:00Z", lang="en", tz=ZoneInfo("Europe/Paris"))
    assert parsed is not None and parsed.utcoffset() is not None
    assert parsed.isoformat() == "2026-02-06T03:30:00+01:00"


@pytest.mark.parametrize(
    ("raw", "usable"),
    [
        ("2026-02-06 18:59:00", True),  # within the hour of clock skew forgiven
        ("2026-02-06 19:01:00", False),
        ("2027-02-06", False),
    ],
)
def test_parse_date_refuses_future(raw: str, usable: bool) -> None:
    parsed = parse_date(raw, lang="zh", tz=SHANGHAI, now=NOW)
    assert (parsed is not None) is usable


# --- OPML ----------------------------------------------------------------------------


def test_parse_opml_nested() -> None:
    sources = parse_opml((FEEDS / "opml_nested.opml").read_bytes())
    assert sources == [
        Source(name="量子位", url="https://www.qbitai.com/feed", lang="zh"),
        Source(name="机器之心", url="https://www.jiqizhixin.com/rss", lang="zh"),
        Source(
            name="Example AI News", url="https://news.example.com/feed.atom", lang="en", weight=1.5
        ),
    ]  # folders, the file: feed and the duplicate are skipped


def test_opml_round_trip() -> None:
    sources = [
        Source(name="量子位", url="https://www.qbitai.com/feed", lang="zh", weight=1.2),
        Source(name="A & B <News>", url="https://ab.example.com/feed?x=1&y=2", lang="en"),
    ]
    text = export_opml(sources)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert 'type="rss" text="量子位"' in text and 'language="zh"' in text
    assert parse_opml(text.encode("utf-8")) == sources


@pytest.mark.parametrize("content", [b"", b"<opml><body><outline", b"not xml at all"])
def test_parse_opml_bad_input(content: bytes) -> None:
    with pytest.raises(ConfigError, match="not an OPML file"):
        parse_opml(content)


def test_parse_opml_without_feeds() -> None:
    assert parse_opml(b"<opml version='2.0'><body><outline text='x'/></body></opml>") == []


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(p.name for p in FEEDS.iterdir() if p.suffix != ".opml")),
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.binary(max_size=40),
)
def test_parse_feed_never_raises_on_damaged_fixtures(name: str, cut: int, junk: bytes) -> None:
    content = (FEEDS / name).read_bytes()
    damaged = content[:cut] + junk + content[cut + len(junk) :]
    feed = parse_feed(damaged, ZH, now=NOW, tz=SHANGHAI)
    assert all(e.url.startswith(("http://", "https://")) for e in feed.entries)

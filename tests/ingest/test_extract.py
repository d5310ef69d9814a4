"""Tests of the extract stage: recorded-style pages in tests/fixtures/pages, no network."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import trafilatura
from lxml.html import fromstring

from pipeline.errors import ExtractError
from pipeline.ingest import extract
from pipeline.ingest.css import is_hidden_style
from pipeline.ingest.extract import (
    choose_text,
    clean_text,
    drop_title_line,
    extract_article,
    http_url,
    parse_page_date,
    strip_invisible,
)
from pipeline.ingest.hidden import strip_hidden
from pipeline.models import FeedEntry, article_id
from tests.conftest import FIXTURES

TZ = ZoneInfo("Asia/Shanghai")
FIRST_SEEN = datetime(2025, 8, 1, 6, 0, tzinfo=UTC)
PAGES = FIXTURES / "pages"


def page(name: str) -> str:
    """The HTML of a fixture page."""
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def make_entry(**fields: Any) -> FeedEntry:
    """A feed entry with sensible defaults."""
    values: dict[str, Any] = {
        "source": "IT之家",
        "lang": "zh",
        "url": "https://www.ithome.com/0/845/123.htm",
        "title": "OpenAI 发布 GPT-4.1 系列模型",
    }
    values.update(fields)
    return FeedEntry(**values)


def run(html: str, entry: FeedEntry | None = None, **kw: Any) -> extract.ExtractResult:
    """extract_article with the test defaults."""
    entry = entry or make_entry()
    kw.setdefault("final_url", entry.url)
    kw.setdefault("first_seen", FIRST_SEEN)
    return extract_article(html, entry=entry, tz=TZ, **kw)


# --- realistic pages -------------------------------------------------------------------


def test_chinese_news_page_keeps_the_article_and_drops_the_chrome() -> None:
    published = datetime(2025, 4, 15, 7, 32, tzinfo=TZ)
    result = run(page("zh_news_ithome"), make_entry(published=published))
    art = result.article
    assert result.note is None
    assert art.text_source == "page"
    assert art.text.startswith("IT之家 4 月 15 日消息，OpenAI 今日凌晨发布 GPT-4.1 系列模型")
    assert "GPT-4.1 在 SWE-bench Verified 编程基准测试中得分 54.6%" in art.text
    assert art.text.endswith("提供了相近甚至更好的性能。")
    assert len(art.text.split("\n")) == 5
    for noise in (
        "相关文章",
        "网友评论",
        "命名越来越乱",
        "京东 618",
        "日榜",
        "小米 15S",
        "首页",
        "广告声明",
        "阿里云",
        "Copyright",
        "分享到",
    ):
        assert noise not in art.text
    assert (art.published, art.date_source) == (published, "feed")
    assert art.title == "OpenAI 发布 GPT-4.1 系列模型"
    assert art.site_name == "IT之家"
    assert art.image == "https://img.ithome.com/newsuploadfiles/2025/4/gpt41.png"
    assert art.author is None  # a byline in the body is not searched (cost): meta tags only


def test_ids_and_urls_come_from_the_canonical_entry_url() -> None:
    entry = make_entry()
    result = run(page("zh_news_ithome"), entry, final_url="https://m.ithome.com/html/845123.htm")
    art = result.article
    assert (art.id, art.url) == (article_id(entry.url), entry.url)
    assert (art.source, art.lang, art.first_seen) == ("IT之家", "zh", FIRST_SEEN)


def test_page_date_is_used_when_the_feed_has_none() -> None:
    art = run(page("zh_news_ithome")).article
    assert art.date_source == "page"
    assert art.published == datetime(2025, 4, 15, 7, 32, 10, tzinfo=TZ)


def test_english_blog_post() -> None:
    entry = make_entry(
        source="Example AI", lang="en", url="https://blog.example.com/retrieval", title=""
    )
    art = run(page("en_blog"), entry).article
    assert art.title == "Scaling retrieval to a billion documents"
    assert "Sharding by embedding cluster\nThe first change" in art.text
    assert art.text.endswith("retrieval workshop in May.")
    for noise in ("Subscribe", "Recent posts", "Privacy", "Careers", "8 min read"):
        assert noise not in art.text
    assert art.published == datetime(2025, 3, 3, 16, 45, tzinfo=UTC)
    assert art.date_source == "page"
    assert art.author == "Jane Doe"
    assert art.site_name == "Example AI Blog"
    assert art.image == "https://blog.example.com/images/retrieval-cover.jpg"


def test_json_ld_date_with_offset_wins_over_modified_date() -> None:
    entry = make_entry(source="新智元", url="https://xzy.example.cn/a/glm45", author=None)
    art = run(page("jsonld_date"), entry).article
    assert art.published == datetime(2025, 7, 28, 21, 5, tzinfo=TZ)
    assert art.published.utcoffset() is not None
    assert art.date_source == "page"
    assert art.author == "桃子"
    assert art.image == "https://cdn.example.cn/glm45/cover.jpg"


@pytest.mark.parametrize(
    "first_seen", [datetime(2025, 7, 28, 12, 0, tzinfo=TZ), datetime(2025, 7, 1, tzinfo=TZ)]
)
def test_page_date_after_first_seen_is_not_believed(first_seen: datetime) -> None:
    art = run(page("jsonld_date"), first_seen=first_seen).article
    assert (art.published, art.date_source) == (first_seen, "first_seen")


def test_feed_author_wins_over_the_page() -> None:
    art = run(page("jsonld_date"), make_entry(author="新智元编辑部")).article
    assert art.author == "新智元编辑部"


# --- prompt-injection defence ----------------------------------------------------------


def test_hidden_text_never_reaches_the_article() -> None:
    art = run(page("hidden_injection"), make_entry(title="")).article
    assert "INJECTED" not in art.text
    assert "忽略之前" not in art.text
    assert "SWE-bench Verified 上取得 62.3% 的成绩，使用自定义脚手架时可达 70.3%" in art.text
    assert "命令行工具 Claude Code 的研究预览版" in art.text
    assert "量子位 QbitAI" in art.text  # font-size 0.9em / opacity 0.8 is visible
    assert strip_invisible(art.text) == art.text


def test_invisible_characters_are_removed_from_title_and_text() -> None:
    entry = make_entry(title="量子\u200b位\u202e：Claude\ufeff")
    art = run(page("hidden_injection"), entry).article
    assert art.title == "量子位：Claude"
    assert strip_invisible(art.title) == art.title


def test_page_title_is_cleaned_when_the_feed_has_none() -> None:
    art = run(page("hidden_injection"), make_entry(title="  ")).article
    assert art.title == "Anthropic 发布 Claude 3.7 Sonnet，首个混合推理模型"


def test_non_http_image_is_dropped() -> None:
    art = run(page("hidden_injection"), make_entry(image="data:image/png;base64,AAAA")).article
    assert art.image is None


def test_feed_image_is_used_when_the_page_has_none() -> None:
    art = run(page("thin_page"), make_entry(summary="摘要" * 50, image="https://x.cn/a.jpg"))
    assert art.article.image == "https://x.cn/a.jpg"


@pytest.mark.parametrize(
    "markup",
    [
        "<div hidden>SECRET</div>",
        '<div aria-hidden="true">SECRET</div>',
        '<div style="display:none">SECRET</div>',
        '<div style="DISPLAY: None !important">SECRET</div>',
        '<div style="color:red;visibility:hidden">SECRET</div>',
        '<span style="font-size:0">SECRET</span>',
        '<span style="font-size: 0px;">SECRET</span>',
        '<span style="font-size:0.0em">SECRET</span>',
        '<span style="opacity:0">SECRET</span>',
        '<span style="opacity: .0">SECRET</span>',
        "<template><p>SECRET</p></template>",
        "<noscript>SECRET</noscript>",
        '<div hidden><div style="display:none">SECRET</div></div>',
    ],
)
def test_strip_hidden_removes_hidden_elements_and_keeps_tails(markup: str) -> None:
    tree = fromstring(f"<html><body><p>before {markup} after</p></body></html>")
    assert strip_hidden(tree) >= 1
    assert tree.text_content().split() == ["before", "after"]


@pytest.mark.parametrize(
    ("style", "hidden"),
    [
        ("display:none", True),
        ("display: block", False),
        ("visibility:collapse", True),
        ("visibility:visible", False),
        ("font-size:0%", True),
        ("font-size:0.8em", False),
        ("font-size:10px", False),
        ("opacity:0.5", False),
        ("opacity:0.0", True),
        ("", False),
        ("display", False),
        ("max-display:none", False),
    ],
)
def test_is_hidden_style(style: str, hidden: bool) -> None:
    assert is_hidden_style(style) is hidden


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\u200bb\u200cc\u200dd\u200ee\u200ff", "abcdef"),
        ("\u202ax\u202by\u202cz\u202d\u202e", "xyz"),
        ("\u2060\u2061\u2062\u2063\u2064w", "w"),
        ("\u2066i\u2069\ufeff", "i"),
        ("普通文本 plain", "普通文本 plain"),
    ],
)
def test_strip_invisible(raw: str, clean: str) -> None:
    assert strip_invisible(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  one  \n\n\t two\u00a0 three \n", "one\ntwo three"),
        ("\u3000\u3000段落一\r\n段落二", "段落一\n段落二"),
        ("\u200b\n  \n", ""),
    ],
)
def test_clean_text_normalises_whitespace(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


# --- fallback to the feed --------------------------------------------------------------


def test_empty_extraction_uses_the_feed_summary() -> None:
    summary = "英伟达 GTC 2025 主题演讲：黄仁勋发布 Blackwell Ultra 与 Rubin 路线图。\n\n第二段。"
    result = run(page("thin_page"), make_entry(summary=summary))
    assert result.note == "extraction empty; used the feed's content"
    assert result.article.text_source == "feed"
    assert result.article.text == clean_text(summary)
    assert result.article.site_name == "机器之心"


def test_no_text_anywhere_raises() -> None:
    with pytest.raises(ExtractError, match=r"^no text: "):
        run(page("thin_page"), make_entry(summary=""))


def article_html(text: str) -> str:
    """A plain page whose article is the given paragraphs."""
    paras = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    return f"<html><head><title>t</title></head><body><article>{paras}</article></body></html>"


LONG_EN = (
    "The company released a new open-weight model today with strong coding results. "
    "It ships under an Apache licence and runs on a single GPU for most workloads."
)


def test_page_much_shorter_than_the_feed_uses_the_feed() -> None:
    feed = "\n".join([LONG_EN] * 6)
    result = run(article_html(LONG_EN), make_entry(summary=feed))
    assert result.note == "extracted text much shorter than the feed's; used the feed's content"
    assert (result.article.text, result.article.text_source) == (feed, "feed")


def test_page_under_min_chars_uses_a_longer_feed() -> None:
    feed = LONG_EN + " Benchmarks follow next week."
    result = run(article_html(LONG_EN), make_entry(summary=feed), min_chars=400)
    assert result.note == "extracted text under 400 characters; used the feed's longer content"
    assert result.article.text_source == "feed"


def test_short_page_is_kept_when_the_feed_has_less() -> None:
    result = run(article_html(LONG_EN), make_entry(summary="Short."), min_chars=400)
    assert result.article.text_source == "page"
    assert result.article.text == LONG_EN
    assert result.note == f"extracted text is short ({len(LONG_EN)} characters)"


@pytest.mark.parametrize(
    ("page_text", "feed", "expected"),
    [
        ("p" * 300, "", ("p" * 300, "page", None)),
        ("p" * 300, "f" * 400, ("p" * 300, "page", None)),
        (
            "p" * 300,
            "f" * 600,
            (
                "f" * 600,
                "feed",
                "extracted text much shorter than the feed's; used the feed's content",
            ),
        ),
        ("", "", ("", "feed", None)),
    ],
)
def test_choose_text(page_text: str, feed: str, expected: tuple[str, str, str | None]) -> None:
    assert choose_text(page_text, feed, 200) == expected


def test_trafilatura_crash_degrades_to_the_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("lxml exploded")

    monkeypatch.setattr(trafilatura, "bare_extraction", boom)
    result = run(page("zh_news_ithome"), make_entry(summary="Feed 摘要。"))
    assert (result.article.text, result.note) == (
        "Feed 摘要。",
        "extraction empty; used the feed's content",
    )


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "\x00\x01\x02",
        "not html at all",
        "<html></html>",
        "<<<>>>",
        "https://example.com/",
    ],
)
def test_bad_html_falls_back_without_fetching(html: str, monkeypatch: pytest.MonkeyPatch) -> None:
    connects: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connects.append(addr))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connects.append(a))
    summary = "The feed's own summary of the story. " * 8
    result = run(html, make_entry(summary=summary))
    assert (result.article.text, result.article.text_source) == (summary.strip(), "feed")
    assert connects == []


def test_naive_first_seen_is_taken_in_the_configured_zone() -> None:
    naive = datetime(2025, 8, 1, 8)
    art = run(page("thin_page"), make_entry(summary="x"), first_seen=naive).article
    assert art.published == datetime(2025, 8, 1, 8, tzinfo=TZ)
    assert art.date_source == "first_seen"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-04-15T07:32:10", datetime(2025, 4, 15, 7, 32, 10, tzinfo=TZ)),
        ("2025-03-03T16:45:00+0000", datetime(2025, 3, 3, 16, 45, tzinfo=UTC)),
        ("2025-03-03", datetime(2025, 3, 3, tzinfo=TZ)),
        ("garbage", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_page_date(value: str | None, expected: datetime | None) -> None:
    assert parse_page_date(value, TZ) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://a.cn/x.jpg", "https://a.cn/x.jpg"),
        ("/img/x.jpg", "https://base.cn/img/x.jpg"),
        ("//cdn.cn/x.jpg", "https://cdn.cn/x.jpg"),
        ("javascript:alert(1)", None),
        ("data:image/png;base64,AA", None),
        ("ftp://a.cn/x.jpg", None),
        ("", None),
        (None, None),
    ],
)
def test_http_url(value: str | None, expected: str | None) -> None:
    assert http_url(value, "https://base.cn/a/b.html") == expected


@pytest.mark.parametrize(
    ("text", "titles", "expected"),
    [
        (
            "Waymo完成160亿美元融资\n自动驾驶公司Waymo宣布…",
            ("Waymo完成160亿美元融资",),
            "自动驾驶公司Waymo宣布…",
        ),
        ("OpenAI launches GPT-5.3-Codex!\nBody.", ("openai launches gpt-5.3-codex",), "Body."),
        ("第一段正文\n第二段", ("标题",), "第一段正文\n第二段"),
        ("", ("标题",), ""),
    ],
)
def test_drop_title_line(text: str, titles: tuple[str, ...], expected: str) -> None:
    assert drop_title_line(text, titles) == expected


# --- issue 11: pages nobody here wrote the markup of -------------------------------------


def test_article_in_a_layout_table_is_extracted_without_the_chrome() -> None:
    entry = make_entry(source="某某网", title="国产大模型再迎新进展 推理能力大幅提升")
    result = run(page("zh_portal_table_layout"), entry)
    text = result.article.text
    assert result.note is None and result.article.text_source == "page"
    assert text.startswith(
        "本报讯（记者 王芳）昨日，国内一家人工智能企业在北京发布了新一代大语言模型。"
    )
    assert text.endswith("正式版本预计将于今年第三季度上线。")
    assert len(text.split("\n")) == 4  # one line per paragraph, no table cells
    for noise in ("首页", "相关新闻", "算力基础设施建设提速", "版权声明", "ICP", "|"):
        assert noise not in text


def test_layout_table_page_was_empty_with_the_old_setting() -> None:
    """The regression this page guards: precision without tables found nothing on it."""
    old = trafilatura.extract(
        page("zh_portal_table_layout"), favor_precision=True, include_tables=False
    )
    assert not old


def test_japanese_page_is_not_converted_to_simplified_chinese() -> None:
    entry = make_entry(source="テック通信", lang="en", title="")
    art = run(page("ja_news"), entry).article
    assert art.title == "東京の新興企業、日本語に特化した大規模言語モデルを発表"
    assert "東京に本社を置く人工知能の新興企業" in art.text
    assert "経済産業省" in art.text and "开发" not in art.text and "东京" not in art.text


def test_traditional_chinese_page_is_converted_after_extraction() -> None:
    art = run(page("zh_tw_traditional"), make_entry(source="科技新报", title="")).article
    assert art.title == "辉达发表新一代人工智慧晶片"  # characters, not Taiwanese vocabulary
    assert art.text.startswith("辉达周四在台北举行的记者会上发表新一代人工智慧晶片")
    assert "首頁" not in art.text and "首页" not in art.text  # the menu was never text


def test_article_inside_noscript_is_extracted_and_noted() -> None:
    result = run(page("noscript_article"), make_entry(title="阿里云发布通义新版本"))
    assert result.article.text.startswith("阿里云今日发布通义大模型新版本")
    assert "坚持开源开放的路线" in result.article.text
    assert result.note == "text came from an element hidden from readers (<noscript>)"


def test_noscript_junk_is_still_removed_when_the_article_is_visible() -> None:
    html = page("en_blog").replace(
        "</article>", "<noscript><p>INJECTED Please enable JavaScript.</p></noscript></article>"
    )
    entry = make_entry(source="Example AI", lang="en", url="https://blog.example.com/r", title="")
    assert "INJECTED" not in run(html, entry).article.text


NOTICE = (
    "本文为转载内容，版权归原作者所有。转载请注明出处，如有侵权请联系我们删除。"
    "本站转载文章仅为传递更多信息之目的，不代表本站观点或证实其内容的真实性。"
)


def test_article_precision_drops_is_rescued_from_behind_a_reprint_notice() -> None:
    """Fast precision keeps only the reprint notice here; the ladder finds the article."""
    paragraphs = "".join(
        f"<p>第{i}段：智谱今天发布了新一代开源模型，参数规模达到三千五百亿，在多项评测中领先，"
        "并以宽松的开源许可证向开发者免费提供。</p>"
        for i in range(1, 5)
    )  # in a bordered block, which trafilatura's fast precision setting discards
    html = (
        f"<html><body><div style='border-top:1px solid #eee'>{paragraphs}</div>"
        f"<div class='statement'><p>{NOTICE}</p></div></body></html>"
    )
    result = run(html, make_entry(summary="短摘要。"))
    assert result.article.text_source == "page" and result.note is None
    assert "第1段：智谱今天发布了新一代开源模型" in result.article.text
    assert "第4段" in result.article.text


def test_a_reprint_notice_alone_is_boilerplate_and_the_feed_is_used() -> None:
    html = f"<html><body><div class='statement'><p>{NOTICE * 3}</p></div></body></html>"
    summary = "智谱发布新一代开源模型，参数规模三千五百亿。" * 12
    result = run(html, make_entry(summary=summary))
    assert (result.article.text, result.article.text_source) == (summary, "feed")
    assert result.note == (
        "extracted text looks like boilerplate (it misses the page's main passages); "
        "used the feed's content"
    )

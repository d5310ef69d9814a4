"""Tests of ingest.maintext: the setting ladder's quality signals and its tree clean-ups."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, fromstring

from pipeline.ingest.extract import clean_text
from pipeline.ingest.maintext import (
    MainText,
    coverage,
    drop_recommendations,
    key_passages,
    legal_share,
    main_text,
    unwrap_layout_tables,
)

LONG = (
    "这是一段足够长的正文文字，用来充当文章的关键段落，"
    "长度超过六十个字符，以便被识别为关键段落之一，也让测试读起来像一篇真正的新闻报道。"
)


def tree(body: str) -> HtmlElement:
    """A page tree with body as its <body>."""
    return fromstring(f"<html><head></head><body>{body}</body></html>")


def test_key_passages_skip_links_navigation_footers_and_legal_text() -> None:
    page = tree(
        f"<p>{LONG}</p><a href='/x'>{LONG}链接</a><nav><p>{LONG}导航</p></nav>"
        f"<footer><p>{LONG}页脚</p></footer><p>Copyright © 2025 {LONG}</p><p>短句。</p>"
    )
    assert key_passages(page) == ["".join(LONG.split())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LONG, 1.0),
        ("完全无关的一段文字", 0.0),
        ("", 0.0),
    ],
)
def test_coverage_is_the_share_of_key_passages_kept(text: str, expected: float) -> None:
    assert coverage(text, ["".join(LONG.split())]) == expected


def test_coverage_without_key_passages_is_full() -> None:
    assert coverage("anything", []) == 1.0


def test_legal_share_counts_legal_lines_by_length() -> None:
    text = "正文第一段，讲的是新闻。\nCopyright © 2025 某某网 版权所有"
    assert legal_share(text) == pytest.approx(
        len("Copyright © 2025 某某网 版权所有") / (len(text) - 1)
    )
    assert legal_share("") == 0.0


def test_boilerplate_is_low_coverage_or_mostly_legal_text() -> None:
    assert MainText("正文", "precise", 0.1).boilerplate
    assert MainText("本文版权归原作者所有，转载请注明出处。", "precise", 1.0).boilerplate
    assert not MainText("正文", "precise", 0.9).boilerplate
    assert not MainText("", "precise", 0.0).boilerplate  # no text is empty, not boilerplate


def test_layout_tables_become_blocks_and_data_tables_stay() -> None:
    page = tree(
        f"<table><tr><td>菜单</td><td>{LONG}{LONG}{LONG}</td></tr></table>"
        "<table><tr><th>模型</th><th>得分</th></tr><tr><td>A</td><td>90</td></tr></table>"
    )
    assert unwrap_layout_tables(page) == 1
    assert [t.xpath("count(.//td)") for t in page.iter("table")] == [2.0]


def test_recommendation_streams_are_dropped_but_not_the_story() -> None:
    page = tree(
        "<div class='article-recommend-wrapper'><h1>标题</h1>"
        f"<p>{LONG}</p></div><div class='recommend-list'><p>{LONG}下一篇</p></div>"
        "<ul id='moreStories'><li>更多</li></ul>"
    )
    assert drop_recommendations(page) == 2
    text = page.text_content()
    assert "标题" in text and "下一篇" not in text and "更多" not in text


def test_a_stream_holding_most_of_the_page_is_kept() -> None:
    page = tree(f"<div class='recommend'><p>{LONG * 5}</p></div><p>短</p>")
    assert drop_recommendations(page) == 0


def test_main_text_takes_a_good_precise_text_and_says_which_setting() -> None:
    page = tree("<article>" + "".join(f"<p>{i}{LONG}</p>" for i in range(4)) + "</article>")
    result = main_text(page, "https://example.com/a", clean_text)
    assert result.setting == "precise-fast" and result.coverage == 1.0
    assert result.text.count(LONG) == 4


def test_main_text_of_an_empty_page_is_empty() -> None:
    result = main_text(tree("<div>加载中…</div>"), "https://example.com/a", clean_text)
    assert (result.text, result.boilerplate) == ("", False)

"""Tests of pipeline.ingest.charset: decoding HTML bytes, and traditional to simplified Chinese."""

from __future__ import annotations

import pytest

from pipeline.ingest.charset import decode_html, to_simplified

GBK_PAGE = "<html><head><title>人工智能</title></head><body><p>{}</p></body></html>".format(
    "英伟达发布新一代人工智能芯片，朱镕基谈产业发展。国产算力池正式上线，规模国内最大。" * 8
)
HTTP_EQUIV_PAGE = (
    '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>人工智能</p>'
)


@pytest.mark.parametrize(
    ("content", "http_charset", "text", "encoding"),
    [
        ("<p>中文</p>".encode(), "utf-8", "<p>中文</p>", "utf-8"),
        ("<p>中文</p>".encode(), None, "<p>中文</p>", "utf-8"),
        ("<p>中文</p>".encode("gbk"), "GB2312", "<p>中文</p>", "gb18030"),
        ("<p>朱镕基</p>".encode("gbk"), "gb2312", "<p>朱镕基</p>", "gb18030"),
        (
            '<meta charset="gbk"><p>朱镕基</p>'.encode("gbk"),
            None,
            '<meta charset="gbk"><p>朱镕基</p>',
            "gb18030",
        ),
        (HTTP_EQUIV_PAGE.encode("gbk"), None, HTTP_EQUIV_PAGE, "gb18030"),
        (
            '<meta charset="gbk"><p>人工智能</p>'.encode("gbk"),
            "utf-8",  # lying HTTP header
            '<meta charset="gbk"><p>人工智能</p>',
            "gb18030",
        ),
        (
            '<meta charset="big5"><p>臺灣</p>'.encode("big5"),
            None,
            '<meta charset="big5"><p>臺灣</p>',
            "big5hkscs",
        ),
        ("\ufeff<p>中文</p>".encode(), "gbk", "<p>中文</p>", "utf-8"),  # BOM wins
        ("<p>é</p>".encode("latin-1"), "iso-8859-1", "<p>é</p>", "cp1252"),
        ("<p>中文</p>".encode(), "no-such-charset", "<p>中文</p>", "utf-8"),
        (GBK_PAGE.encode("gbk"), None, GBK_PAGE, "gb18030"),  # detection
        (b"", None, "", "utf-8"),
    ],
)
def test_decode_html(content: bytes, http_charset: str | None, text: str, encoding: str) -> None:
    assert decode_html(content, http_charset) == (text, encoding)


def test_decode_html_never_raises_on_garbage() -> None:
    text, encoding = decode_html(b"\xff\xfe\x00\x81\x8d garbage \xc3", "utf-8")
    assert isinstance(text, str) and encoding


@pytest.mark.parametrize(
    ("text", "expected", "converted"),
    [
        ("英伟达发布新一代人工智能芯片，国产算力池正式上线。", None, False),
        (
            "輝達發佈新一代人工智慧晶片，這款處理器專為資料中心設計。",
            "辉达发布新一代人工智慧晶片，这款处理器专为资料中心设计。",
            True,
        ),
        ("OpenAI ships a new model.", None, False),
        ("", None, False),
        ("乾隆年间的故事很长，后来的人们常常讲起这段历史和文化传承的意义。", None, False),
    ],
)
def test_to_simplified(text: str, expected: str | None, converted: bool) -> None:
    assert to_simplified(text) == (expected or text, converted)


TRADITIONAL = "輝達發佈新一代人工智慧晶片，這款處理器專為資料中心設計，預計明年第一季開始量產。"
JAPANESE = (
    "東京の新興企業は、日本語に特化した大規模言語モデルを発表した。経済産業省の支援を受けた。"
)


@pytest.mark.parametrize(
    ("text", "declared", "converted"),
    [
        (TRADITIONAL, None, True),
        (TRADITIONAL, "zh-Hant-TW", True),
        (TRADITIONAL, "zh-CN", True),  # a mis-declared page: the characters decide
        (TRADITIONAL, "zh_TW", True),
        (TRADITIONAL, "ja", False),  # declared Japanese: never converted
        (TRADITIONAL, "en-US", False),
        (JAPANESE, None, False),  # kana: Japanese, whatever its kanji
        (JAPANESE, "ja", False),
        ("東京 経済 発表 開発 関係 東京 経済 発表 開発 関係 東京 経済 発表", "ja-JP", False),
        ("Read this page in 繁體中文 or 简体中文. " + "OpenAI ships a model. " * 20, None, False),
        ("語言", None, False),  # too few characters to tell
    ],
)
def test_traditional_only_when_the_page_is_traditional_chinese(
    text: str, declared: str | None, converted: bool
) -> None:
    assert to_simplified(text, declared)[1] is converted

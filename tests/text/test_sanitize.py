"""Tests of pipeline.text.sanitize: the one sanitiser and link check of draft text."""

from __future__ import annotations

import pytest

from pipeline.text.sanitize import (
    check_link,
    defang,
    invisible_characters,
    link_key,
    sanitize_text,
    strip_invisible,
)

SOURCES = frozenset({link_key("https://www.example.com/a/1")})


def source_only(url: str) -> bool:
    return check_link(url, SOURCES)


@pytest.mark.parametrize(
    ("text", "clean", "found"),
    [
        ("正常文本。", "正常文本。", []),
        ("估值<script>x()</script>创纪录", "估值创纪录", ["HTML 标签 <script> 已删除"]),
        ("<img src=x onerror=alert(1)>图", "图", ["HTML 标签 <img> 已删除"]),
        ("a <!-- hidden", "a ", []),
        ("1 < 2", "1 &lt; 2", []),
        ("[原文](https://example.com/a/1)", "[原文](https://example.com/a/1)", []),
        ("[点](javascript:alert(1))", "点)", ["链接 javascript:alert(1 不是本条来源"]),
        ("![x](https://evil.example/p.png)", "", ["链接 https://evil.example/p.png 不是本条来源"]),
        ("见 https://evil.example/x。", "见 。", ["链接 https://evil.example/x 不是本条来源"]),
        ("[a]: javascript:alert(1)", "\\[a]: javascript:alert(1)", []),
        ("Open\u202eAI\u200b", "OpenAI", []),
    ],
)
def test_sanitize_text(text: str, clean: str, found: list[str]) -> None:
    findings: list[str] = []
    assert sanitize_text(text, source_only, findings) == clean
    assert findings == found


@pytest.mark.parametrize(
    ("url", "allowed", "ok"),
    [
        ("https://example.com/a/1", SOURCES, True),
        ("http://www.example.com/a/1/", SOURCES, True),
        ("https://example.com/a/2", SOURCES, False),
        ("https://evil.example/", None, True),  # the render net accepts any web link
        ("javascript:alert(1)", None, False),
        ("data:text/html,x", None, False),
        ("//example.com/a/1", None, False),
        ("https://user:pw@example.com/a/1", None, False),
        ("https://exa\u200bmple.com/", None, False),
    ],
)
def test_check_link(url: str, allowed: frozenset[str] | None, ok: bool) -> None:
    assert check_link(url, allowed) is ok


def test_invisible_characters_are_named_and_stripped() -> None:
    text = "a\u202eb\u2066c\u200bd\x1b[31me\U000e0041"
    assert strip_invisible(text) == "abcd[31me"
    assert invisible_characters(text)[:2] == [
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+2066 LEFT-TO-RIGHT ISOLATE",
    ]
    assert "U+001B CONTROL" in invisible_characters(text)


def test_defang() -> None:
    assert defang("链接 https://evil.example/x 与 <script>") == (
        "链接 https[:]//evil[.]example/x 与 ‹script›"
    )
    assert defang("javascript:alert(1)") == "javascript[:]alert(1)"

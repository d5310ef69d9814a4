"""Tests of ingest.css and ingest.cssrules: which declarations hide text, which rules of
a page's own <style> apply, and to which elements."""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from pipeline.ingest.css import declarations, hiding_reason, may_vanish
from pipeline.ingest.cssrules import computed_styles, style_sheet


@pytest.mark.parametrize(
    ("style", "reason"),
    [
        ("display:none", "display: none"),
        ("visibility: collapse", "visibility: hidden"),
        ("content-visibility: hidden", "content-visibility: hidden"),
        ("font-size:1px", "tiny font"),
        ("font-size: 0.1em", "tiny font"),
        ("font-size: 12px", None),
        ("opacity:.01", "opacity near 0"),
        ("opacity: 5%", "opacity near 0"),
        ("opacity: 0.5", None),
        ("color: transparent", "color: transparent"),
        ("color: rgba(0, 0, 0, 0)", "color: transparent"),
        ("clip: rect(0 0 0 0); position: absolute", "clip: rect(0 0 0 0)"),
        ("clip: rect(1px, 1px, 1px, 1px)", "clip: rect(0 0 0 0)"),
        ("clip: rect(0, 300px, 200px, 0)", None),
        ("clip-path: inset(50%)", "clip-path hides all"),
        ("clip-path: circle(0)", "clip-path hides all"),
        ("transform: scale(0)", "transform: scale(0)"),
        ("transform: rotate(3deg) scaleY(0)", "transform: scale(0)"),
        ("transform: scale(1.2)", None),
        ("position:absolute; left:-9999px", "off-screen (left)"),
        ("left:-9999px", None),  # a static element ignores left
        ("text-indent: -9999px", "off-screen (text-indent)"),
        ("width:1px; height:1px; overflow:hidden", "zero-size box"),
        ("width:1px", None),
        ("DISPLAY : NONE !important", "display: none"),
        ("", None),
    ],
)
def test_hiding_reason(style: str, reason: str | None) -> None:
    assert hiding_reason(declarations(style)) == reason


@pytest.mark.parametrize(
    ("style", "vanishes"),
    [
        ("color: #fff", True),
        ("color: white; background: #222", False),
        ("color: #333; background: #333", True),
        ("color: rgba(255, 0, 0, 0.05)", True),
        ("color: #333", False),
        ("background: #fff", False),
    ],
)
def test_may_vanish(style: str, vanishes: bool) -> None:
    assert may_vanish(declarations(style)) is vanishes


def page(css: str, body: str) -> object:
    return fromstring(f"<html><head><style>{css}</style></head><body>{body}</body></html>")


def test_only_rules_for_names_the_page_uses_and_screens_are_read() -> None:
    tree = page(
        ".used{display:none} .unused{display:none} @media print{.used2{display:none}}"
        "@media screen{.used3{visibility:hidden}} @keyframes k{from{opacity:0}}",
        "<p class='used'>a</p><p class='used2'>b</p><p class='used3'>c</p>",
    )
    assert [selector for _, selector, _ in style_sheet(tree).rules] == [".used", ".used3"]


def test_a_more_specific_rule_shows_the_element_again() -> None:
    tree = page(
        ".tab{display:none} .tab.active{display:block}",
        "<div class='tab active' id='shown'>x</div><div class='tab' id='gone'>y</div>",
    )
    styles = computed_styles(tree, style_sheet(tree))
    by_id = {el.get("id"): decls for el, decls in styles.items()}
    assert by_id["shown"]["display"] == "block" and by_id["gone"]["display"] == "none"


def test_descendant_and_child_combinators_match_like_a_browser() -> None:
    tree = page(
        ".box .note{display:none} .list > .item{display:none}",
        "<div class='box'><span><i class='note' id='a'>x</i></span></div>"
        "<i class='note' id='b'>y</i><ul class='list'><li class='item' id='c'>z</li></ul>"
        "<div class='list'><p><b class='item' id='d'>w</b></p></div>",
    )
    styles = computed_styles(tree, style_sheet(tree))
    hidden = {el.get("id") for el, decls in styles.items() if decls.get("display") == "none"}
    assert hidden == {"a", "c"}


def test_inline_style_wins_over_rules() -> None:
    tree = page(".x{display:none}", "<p class='x' style='display:block' id='p'>x</p>")
    (decls,) = computed_styles(tree, style_sheet(tree)).values()
    assert decls["display"] == "block"

"""Tests of pipeline.ingest.pagetree: HTML is capped before parsing, and each cut is said."""

from __future__ import annotations

from pipeline.ingest import pagetree
from pipeline.ingest.pagetree import bounded_html, parse_page


def test_ordinary_page_is_untouched() -> None:
    html = "<html><body><p class='a' id='b'>text</p></body></html>"
    assert bounded_html(html) == (html, [])


def test_size_cap() -> None:
    html = "<p>" + "x" * (pagetree.MAX_HTML_CHARS + 10) + "</p>"
    bounded, cuts = bounded_html(html)
    assert len(bounded) == pagetree.MAX_HTML_CHARS
    assert cuts == [f"page cut at {pagetree.MAX_HTML_CHARS:,} characters"]


def test_element_cap_cuts_at_the_first_tag_past_it() -> None:
    html = "<p>a</p>" * (pagetree.MAX_ELEMENTS + 5)
    bounded, cuts = bounded_html(html)
    assert bounded.count("<p>") == pagetree.MAX_ELEMENTS
    assert cuts == [f"page cut after {pagetree.MAX_ELEMENTS:,} elements"]


def test_attribute_cap_keeps_the_first_attributes() -> None:
    attributes = " ".join(f"a{i}='v'" for i in range(pagetree.MAX_ATTRIBUTES + 50))
    bounded, cuts = bounded_html(f"<html><body><div {attributes}>text</div></body></html>")
    tree, _ = parse_page(bounded)
    assert tree is not None
    (div,) = tree.iter("div")
    assert len(div.attrib) == pagetree.MAX_ATTRIBUTES and div.get("a0") == "v"
    assert cuts == [f"1 element(s) cut to {pagetree.MAX_ATTRIBUTES:,} attributes"]


def test_script_text_is_not_mistaken_for_a_tag() -> None:
    script = "<script>for (i = 0; i<n; i++) {" + " x = y;" * 2000 + "}</script>"
    assert bounded_html(script) == (script, [])


def test_nothing_to_parse() -> None:
    assert parse_page("  \n") == (None, [])

"""A page's HTML parsed under bounds: size, elements and attributes are capped before lxml.

Parsing and extraction costs grow with the markup (an element with 275,000 attributes
takes libxml2 minutes; 121,000 paragraphs take trafilatura minutes), so a hostile or
broken page is cut to sizes no real article needs, and each cut is said.
"""

from __future__ import annotations

import itertools
import logging
import re

import trafilatura
from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

# The largest real pages in the public corpora measured (benchmarks/RESULTS.md) have
# about 6,000 elements and 0.9 MB of HTML; the caps leave four times that room.
MAX_HTML_CHARS = 4_000_000
MAX_ELEMENTS = 25_000
MAX_ATTRIBUTES = 1_000  # per element: libxml2 parses this many in ~10 ms (20,000: 0.4 s)
LONG_TAG_CHARS = 2_000  # shorter tags cannot carry MAX_ATTRIBUTES attributes (2 chars each)

TAG_START_RE = re.compile(r"<[a-zA-Z]")
# A start tag: a name, whitespace, attributes (script text such as ``i<n;`` is no tag).
LONG_TAG_RE = re.compile(rf"<[a-zA-Z][\w:-]*\s[^<>]{{{LONG_TAG_CHARS},}}")
TAG_NAME_RE = re.compile(r"<[a-zA-Z][^\s/<>]*")
ATTRIBUTE_RE = re.compile(r"""\s*[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?""")


def bounded_html(html: str) -> tuple[str, list[str]]:
    """The HTML cut to the size, element and attribute caps, and what was cut."""
    cuts: list[str] = []
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        cuts.append(f"page cut at {MAX_HTML_CHARS:,} characters")
    html, cut = _cap_elements(html)
    if cut:
        cuts.append(f"page cut after {MAX_ELEMENTS:,} elements")
    html, trimmed = _cap_attributes(html)
    if trimmed:
        cuts.append(f"{trimmed} element(s) cut to {MAX_ATTRIBUTES:,} attributes")
    return html, cuts


def _cap_elements(html: str) -> tuple[str, bool]:
    """The HTML up to its MAX_ELEMENTS-th start tag, and whether it was cut."""
    if html.count("<") <= MAX_ELEMENTS:
        return html, False  # the common case, counted in C
    past_cap = next(itertools.islice(TAG_START_RE.finditer(html), MAX_ELEMENTS, None), None)
    if past_cap is None:
        return html, False
    return html[: past_cap.start()], True


def _cap_attributes(html: str) -> tuple[str, int]:
    """The HTML with every start tag cut to MAX_ATTRIBUTES attributes, and how many were cut."""
    trimmed = 0

    def trim(match: re.Match[str]) -> str:
        nonlocal trimmed
        tag = match.group(0)
        name = TAG_NAME_RE.match(tag)
        end = name.end() if name else 1
        attributes = list(itertools.islice(ATTRIBUTE_RE.finditer(tag, end), MAX_ATTRIBUTES + 1))
        if len(attributes) <= MAX_ATTRIBUTES:
            return tag
        trimmed += 1
        return tag[: attributes[MAX_ATTRIBUTES - 1].end()]

    return LONG_TAG_RE.sub(trim, html), trimmed


def parse_page(html: str) -> tuple[HtmlElement | None, list[str]]:
    """The page's tree (None if there is no HTML) after the caps, and what was cut."""
    if not html.strip():
        return None, []
    bounded, cuts = bounded_html(html)
    for cut in cuts:
        logger.warning("page over bounds: %s", cut)
    try:
        tree = trafilatura.load_html(bounded)
    except Exception as exc:  # lxml rejects some byte soups outright
        logger.warning("page could not be parsed: %s", exc)
        return None, cuts
    return (tree if isinstance(tree, HtmlElement) else None), cuts

"""The main text of a parsed page: trafilatura settings tried in order, chosen by a quality signal.

Precision first (a missing paragraph costs less than a comment or an ad in the LLM's
input), and cheaply: the precise setting without trafilatura's second-opinion
extractors. Its result is accepted when it holds the page's key passages, the longest
runs of non-link text, where an article's paragraphs are. When it does not (nothing,
a teaser, a reprint notice, an article inside a layout table), the precise setting
with trafilatura's fallback extractors follows, and the candidate holding more of the
key passages wins; the balanced and recall settings are asked only while there is no
text at all. A result that still misses the key passages is flagged as likely
boilerplate. Recommendation streams appended below a story are dropped first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document

logger = logging.getLogger(__name__)

# Options every setting shares: the article's text only, tables kept (on Chinese portals
# the article often sits in a layout table; on English pages tables are data).
BASE_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,  # trafilatura's dedup cache is process-global state
    "with_metadata": False,  # metadata is read separately, so a failed body keeps it
}
LADDER: tuple[tuple[str, dict[str, Any]], ...] = (
    ("precise-fast", {"favor_precision": True, "fast": True}),
    ("precise", {"favor_precision": True}),
    ("balanced", {}),
    ("recall", {"favor_recall": True}),
)
# Broader settings rescue pages where precision finds nothing or a short boilerplate text;
# they are not asked to beat a precise text that holds the page (measured: choosing them
# by coverage there adds boilerplate on balance).
RESCUE_ONLY = frozenset({"balanced", "recall"})
RESCUE_BELOW_CHARS = 1000

# Key passages: the longest text nodes outside links, scripts and forms.
KEY_XPATH = etree.XPath(
    "//body//text()[string-length(normalize-space(.)) >= $min_chars]"
    "[not(ancestor::a or ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::textarea or ancestor::select or ancestor::option or ancestor::button"
    " or ancestor::footer or ancestor::nav)]",
    smart_strings=False,
)
# Legal footers and reprint notices are long runs of plain text, and never the article.
LEGAL_RE = re.compile(
    r"copyright|©|all rights reserved|版权所有|版权归|版权声明|转载请注明|未经.{0,8}授权"
    r"|ICP[备证]|公网安备|举报电话|增值电信",
    re.I,
)
LEGAL_SHARE = 0.5  # a text this much legal lines is boilerplate, whatever its length
KEY_MIN_CHARS = 60
KEY_PASSAGES = 5
PROBE_CHARS = 24  # a passage counts as kept if its middle this long is in the text
GOOD_COVERAGE = 0.6  # share of the key passages (by length) a good extraction keeps
BOILERPLATE_COVERAGE = 0.3  # under this, the text is mostly something else: flagged
MIN_ACCEPT_CHARS = 150  # shorter results are checked against costlier settings
LONG_TEXT_CHARS = 2000  # a precise text this long is taken without the key-passage check
MIN_TEXT_CHARS = 25  # shorter is a label ("加载中…", "Loading"), not an article: no text


# Recommendation streams: whole follow-up articles a portal appends below the story
# (infinite scroll, "猜你喜欢", "more stories"). trafilatura takes them for more article.
FEED_TOKENS = (
    "recommend",
    "guessyou",
    "guess-you",
    "guesslike",
    "guess-like",
    "hotnews",
    "hot-news",
    "stream-item",
    "stream-wrapper",
    "morestories",
    "more-stories",
    "readnext",
    "read-next",
    "nextarticle",
    "next-article",
    "infinitescroll",
    "infinite-scroll",
)
FEED_TAGS = frozenset({"div", "section", "aside", "ul", "ol"})
NAME_VALUES = etree.XPath("//@class | //@id", smart_strings=False)
LAYOUT_TABLES_XPATH = etree.XPath(
    "//table[.//td[string-length(normalize-space(.)) >= 150] or .//table]"
)
TABLE_PARTS = ("thead", "tbody", "tfoot", "tr", "td", "th")
MAX_FEED_SHARE = 0.5  # a "feed" holding more of the page's text than this is the page


@dataclass(frozen=True)
class MainText:
    """The chosen text, the setting that gave it, and its quality signal."""

    text: str
    setting: str
    coverage: float  # share of the page's key passages the text holds (1.0 if none)

    @property
    def boilerplate(self) -> bool:
        """Whether the text misses most of the page's key passages or is mostly a legal
        footer (copyright, ICP licence, report hotline)."""
        return bool(self.text) and (
            self.coverage < BOILERPLATE_COVERAGE or legal_share(self.text) >= LEGAL_SHARE
        )


def unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn layout tables (a cell holding a long text, or tables inside tables) into plain
    blocks, in place; return how many. Older portals lay whole pages out in tables: read
    as tables their articles come out as rows of cells with the menus, read as blocks
    they extract like any article. Data tables (short cells) stay tables."""
    tables = LAYOUT_TABLES_XPATH(tree)
    for table in tables:
        for element in [table, *table.iter(*TABLE_PARTS)]:
            element.tag = "div"
    return len(tables)


def drop_recommendations(tree: HtmlElement) -> int:
    """Remove, in place, recommendation streams that cannot be the article; return how many.

    A candidate is kept when it holds the page's first ``<h1>`` (the story's headline) or
    most of the page's text.
    """
    candidates = _feed_candidates(tree)
    if not candidates:
        return 0
    headline = tree.find(".//h1")
    spared = set(headline.iterancestors()) if headline is not None else set()
    total = len(tree.text_content())
    dropped = 0
    for element in candidates:
        if element in spared or element.getparent() is None:
            continue
        if len(element.text_content()) > MAX_FEED_SHARE * total:
            continue
        element.drop_tree()
        dropped += 1
    return dropped


def _feed_candidates(tree: HtmlElement) -> list[HtmlElement]:
    """Block elements whose class or id names a recommendation stream."""
    names = "\n".join(NAME_VALUES(tree)).lower()
    if not any(token in names for token in FEED_TOKENS):
        return []  # most pages: a few substring tests, no step per element
    found = []
    for element in tree.xpath("//*[@class or @id]"):
        value = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if element.tag in FEED_TAGS and any(token in value for token in FEED_TOKENS):
            found.append(element)
    return found


def key_passages(tree: HtmlElement) -> list[str]:
    """The page's longest text runs outside links, navigation and legal footers, squashed:
    where its article should be."""
    nodes = KEY_XPATH(tree, min_chars=KEY_MIN_CHARS)
    passages = (_squash(str(node)) for node in nodes if not LEGAL_RE.search(str(node)))
    return sorted(passages, key=len, reverse=True)[:KEY_PASSAGES]


def legal_share(text: str) -> float:
    """Share (by length) of the text's lines that are legal boilerplate."""
    lines = text.splitlines()
    total = sum(len(line) for line in lines)
    return sum(len(line) for line in lines if LEGAL_RE.search(line)) / total if total else 0.0


def coverage(text: str, passages: list[str]) -> float:
    """Share (by length) of the key passages whose middle appears in text; 1.0 if none."""
    total = sum(len(p) for p in passages)
    if not total:
        return 1.0
    squashed = _squash(text)
    kept = sum(len(p) for p in passages if _probe(p) in squashed)
    return kept / total


def _probe(passage: str) -> str:
    middle = max(0, (len(passage) - PROBE_CHARS) // 2)
    return passage[middle : middle + PROBE_CHARS]


def _squash(text: str) -> str:
    return "".join(text.split())


def main_text(tree: HtmlElement, url: str, clean: Any) -> MainText:
    """The page's main text: the precise settings until one is good, then the broader
    settings only while there is no text, or only a short boilerplate one.

    ``clean`` turns trafilatura's text into the project's plain text (a callable).
    """
    if unwrap_layout_tables(tree):
        logger.debug("%s: read layout tables as blocks", url)
    if drop_recommendations(tree):
        logger.debug("%s: dropped recommendation streams", url)
    passages: list[str] | None = None  # computed only when a text needs checking
    best: MainText | None = None
    for name, options in LADDER:
        if best is not None and name in RESCUE_ONLY and not _needs_rescue(best):
            break
        text = clean(_run(tree, url, options))
        text = text if len(text) >= MIN_TEXT_CHARS else ""
        if len(text) >= LONG_TEXT_CHARS and legal_share(text) < LEGAL_SHARE:
            return MainText(text, name, 1.0)  # measured: checking long texts changes nothing
        passages = key_passages(tree) if passages is None else passages
        candidate = MainText(text, name, coverage(text, passages))
        logger.debug(
            "%s: %s: %d chars, key coverage %.2f", url, name, len(text), candidate.coverage
        )
        if _good(candidate):
            return candidate
        best = candidate if best is None else _better(best, candidate)
    return best or MainText("", "none", 0.0)


def _needs_rescue(best: MainText) -> bool:
    """No text, or a short text that misses the page's key passages (a reprint notice, a
    cookie banner): the broader settings may find the article precision missed."""
    return not best.text or (best.boilerplate and len(best.text) < RESCUE_BELOW_CHARS)


def _good(candidate: MainText) -> bool:
    return (
        len(candidate.text) >= MIN_ACCEPT_CHARS
        and candidate.coverage >= GOOD_COVERAGE
        and not candidate.boilerplate
    )


def _better(current: MainText, new: MainText) -> MainText:
    """Some text over none; text that is not boilerplate over text that is; then the
    candidate holding clearly more key text; on a tie the earlier (more precise) one,
    unless it is too short to use."""
    if not current.text or not new.text:
        return new if new.text else current
    if current.boilerplate != new.boilerplate:
        return current if new.boilerplate else new
    if abs(new.coverage - current.coverage) > 0.1:
        return new if new.coverage > current.coverage else current
    if len(current.text) < MIN_ACCEPT_CHARS and len(new.text) > len(current.text):
        return new
    return current


def _run(tree: HtmlElement, url: str, options: dict[str, Any]) -> str:
    """trafilatura's text for one setting; empty if it finds none or fails."""
    try:
        document = trafilatura.bare_extraction(tree, url=url, **BASE_OPTIONS, **options)
    except Exception as exc:  # odd markup breaks trafilatura's fallbacks in assorted ways
        logger.warning("%s: text extraction failed: %s", url, exc)
        return ""
    return (document.text or "") if isinstance(document, Document) else ""

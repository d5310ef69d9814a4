"""The page's own ``<style>`` rules that matter for visibility, and the elements they style.

Only what applies on any screen counts: rules inside ``@media`` with a condition (print,
a width) and other at-rules are skipped. Kept: rules that hide; rules that set display,
visibility or opacity on a class or id a hiding rule names (they may show it again, as
``.page.active``); rules whose text colour can vanish (transparent, white, its own
background); background colours of classes and ids. Everything is bounded: a page's
stylesheet can be hundreds of kilobytes, and most of its rules style other pages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cssselect import HTMLTranslator
from cssselect.parser import SelectorError
from cssselect.xpath import ExpressionError
from lxml import etree
from lxml.html import HtmlElement
from tinycss2.color3 import RGBA

from pipeline.ingest.css import (
    Declarations,
    background_value,
    declarations,
    hiding_reason,
    may_vanish,
)

# Of <style> text read per page (85 % of the pages measured have less): a cost bound.
# Rules past it are not read; inline styles and the prompt's fencing still apply.
MAX_CSS_CHARS = 64_000
MAX_RULES = 2_000  # rules kept per page, hiding ones first
MAX_XPATH_SELECTORS = 10  # selectors with attributes, pseudo-classes or sibling combinators
MAX_CHECKS = 20_000  # selector-against-element checks per page
MAX_NAMES_IN_XPATH = 8  # more subject names than this: one pass over every named element

COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
BRACE_RE = re.compile(r"[{}]")
AT_RULE_RE = re.compile(r"@([\w-]+)([^{};]*)\{")
# One pattern per hint, each starting with a literal the regex engine searches fast, run
# on an ASCII-lowercased copy (case-insensitive or alternated patterns are 3-4x slower).
HINTS = tuple(
    re.compile(pattern)
    for pattern in (
        r"display\s*:\s*none",
        r"visibility\s*:\s*(?:hidden|collapse)",
        r"opacity\s*:\s*[0.]",
        r"font-size\s*:\s*[0-2.]",
        r"clip",
        r"scale",
        r"matrix\(",
        r"indent\s*:\s*-",
        r"left\s*:\s*-\d{3}",
        r"top\s*:\s*-\d{3}",
        r"right\s*:\s*\d{4}",
        r"width\s*:\s*[01](?:px)?\s*(?:[;!}]|$)",
        r"height\s*:\s*[01](?:px)?\s*(?:[;!}]|$)",
        r"transparent",
        r"color\s*:\s*(?:#f{3}\b|#f{6}|#f{8}|white|rgba?\(\s*25[0-5]|hsla?\()",
    )
)
SHOWING_HINTS = tuple(re.compile(p) for p in ("display", "visibility", "opacity"))
BACKGROUND_HINTS = (re.compile("background"),)
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

PSEUDO_RE = re.compile(r"::?[\w-]+(?:\([^)]*\))?|\[[^\]]*\]")
SIMPLE_NAME_RE = re.compile(r"[.#][\w-]+")
COMPOUND_RE = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<names>(?:[.#][\w-]+)*)$")
PART_RE = re.compile(r"\s*([>+~]?)\s*([^\s>+~]+)")
PSEUDO_CLASS_RE = re.compile(r"(?<!:):(?!:)[\w-]+")
TAG_TOKEN_RE = re.compile(r"(?:^|[\s>+~(])([a-zA-Z][\w-]*)")
NAMED_XPATH = etree.XPath("//*[@class or @id]")
STYLED_XPATH = etree.XPath("//@style")
ID_VALUES = etree.XPath("//@id", smart_strings=False)
CLASS_VALUES = etree.XPath("//@class", smart_strings=False)

Rule = tuple[int, str, Declarations]  # position in the CSS, selector group, declarations
Rank = tuple[int, int, int, int]  # specificity (ids, classes, tags), then source order
Compound = tuple[str | None, frozenset[str]]  # tag (None: any), ".class"/"#id" names


@dataclass(frozen=True)
class StyleSheet:
    """The rules of the page's own ``<style>`` elements that matter for visibility."""

    rules: list[Rule]
    backgrounds: dict[str, RGBA | None]  # ".class"/"#id" → its background (None: an image)


@dataclass(frozen=True)
class _Selector:
    """A selector of compounds joined by descendant or child combinators, subject last."""

    rank: Rank
    parts: tuple[tuple[str, Compound], ...]  # (combinator before it: "" or ">", compound)
    decls: Declarations


# --- reading the rules ---------------------------------------------------------------


def style_sheet(tree: HtmlElement) -> StyleSheet:
    """The page's rules that hide text, those that may show it again, and colour rules."""
    css = _screen_css(tree)
    if not css.strip():
        return StyleSheet([], {})
    lowered = css.translate(ASCII_LOWER)
    names = class_and_id_names(tree)
    hiding: list[Rule] = []
    colored: list[Rule] = []
    for start, selector, block in _rules_with(HINTS, css, lowered):
        if not _may_match(selector, names):
            continue
        decls = declarations(block)
        if hiding_reason(decls):
            hiding.append((start, selector, decls))
        elif may_vanish(decls):
            colored.append((start, selector, decls))
    rules = hiding + _showing_rules(css, lowered, hiding, names) + colored
    backgrounds = _background_index(css, lowered, names) if colored else {}
    return StyleSheet(sorted(rules[:MAX_RULES]), backgrounds)


def _screen_css(tree: HtmlElement) -> str:
    """The text of the page's ``<style>`` elements without comments and without the
    at-rule blocks that do not apply on every screen (unconditional ones are unwrapped)."""
    css = COMMENT_RE.sub("", "".join(s.text or "" for s in tree.iter("style"))[:MAX_CSS_CHARS])
    out: list[str] = []
    position = 0
    for at in AT_RULE_RE.finditer(css):
        if at.start() < position:
            continue  # inside a block already handled
        out.append(css[position : at.start()])
        end = _block_end(css, at.end())
        if _unconditional(at.group(1), at.group(2)):
            out.append(css[at.end() : end - 1])
        position = end
    out.append(css[position:])
    return "".join(out)


def _block_end(css: str, start: int) -> int:
    """The index just past the brace closing the block opened before start."""
    depth = 1
    for brace in BRACE_RE.finditer(css, start):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.end()
    return len(css)


def _unconditional(name: str, query: str) -> bool:
    words = set(query.replace(",", " ").lower().split())
    return name.lower() == "supports" or (
        name.lower() == "media" and "(" not in query and words <= {"screen", "all", "only"}
    )


def _rules_with(
    hints: tuple[re.Pattern[str], ...], css: str, lowered: str
) -> Iterator[tuple[int, str, str]]:
    """(position, selector, declarations) of each flat rule whose declarations match a hint.

    The regex engine finds the hints in ``lowered`` (the CSS, ASCII-lowercased: class
    names in ``css`` keep their case); each rule is then cut out around its hint, so
    thousands of rules cost a few scans, not a Python step per rule.
    """
    done = -1
    for position in sorted({hit.start() for hint in hints for hit in hint.finditer(lowered)}):
        opening = css.rfind("{", 0, position)
        if opening <= done or css.rfind("}", opening, position) != -1:
            continue  # a rule already read, or a hint outside any block (in a selector)
        closing = css.find("}", position)
        done = opening
        prelude_start = max(css.rfind("}", 0, opening), css.rfind(";", 0, opening)) + 1
        selector = css[prelude_start:opening].strip()
        yield opening, selector, css[opening + 1 : closing if closing != -1 else len(css)]


def class_and_id_names(tree: HtmlElement) -> set[str]:
    """Every ``.class`` and ``#id`` the page uses, spelled as in a selector."""
    names = {f"#{value.strip()}" for value in ID_VALUES(tree)}
    for value in CLASS_VALUES(tree):
        names.update(f".{name}" for name in value.split())
    return names


def element_names(element: HtmlElement) -> set[str]:
    """The element's ``.class`` and ``#id`` names."""
    names = {f".{c}" for c in element.get("class", "").split()}
    if element.get("id"):
        names.add(f"#{element.get('id', '').strip()}")
    return names


def _may_match(selector_group: str, names: set[str]) -> bool:
    """False when no selector of the group can match: it needs a class or id the page does
    not use."""
    for selector in selector_group.split(","):
        required = SIMPLE_NAME_RE.findall(PSEUDO_RE.sub("", selector))
        if all(name in names for name in required):
            return True
    return False


def _showing_rules(css: str, lowered: str, hiding: list[Rule], names: set[str]) -> list[Rule]:
    """Rules setting display, visibility or opacity on a class or id that a hiding rule
    names: the cascade needs them to know whether the element is shown after all."""
    hidden_names = {n for _, selector, _ in hiding for n in SIMPLE_NAME_RE.findall(selector)}
    if not hidden_names:
        return []
    rules = []
    for start, selector, block in _rules_with(SHOWING_HINTS, css, lowered):
        if hidden_names & set(SIMPLE_NAME_RE.findall(selector)) and _may_match(selector, names):
            decls = declarations(block)
            if not hiding_reason(decls):
                rules.append((start, selector, decls))
    return rules


def _background_index(css: str, lowered: str, names: set[str]) -> dict[str, RGBA | None]:
    """Background colours that rules give to the page's classes and ids (simple selectors
    only); None for an image or a gradient, whose colour is unknown."""
    index: dict[str, RGBA | None] = {}
    for _, selector_group, block in _rules_with(BACKGROUND_HINTS, css, lowered):
        value = declarations(block)
        background = value.get("background-color") or value.get("background") or ""
        for selector in selector_group.split(","):
            compound = COMPOUND_RE.match(selector.strip())
            for name in SIMPLE_NAME_RE.findall(compound.group("names")) if compound else ():
                if name in names:
                    index[name] = background_value(background)
    return index


# --- matching them -------------------------------------------------------------------


def computed_styles(tree: HtmlElement, sheet: StyleSheet) -> dict[HtmlElement, Declarations]:
    """The declarations that matter per element: matching rules by specificity and order
    (the cascade, without ``!important``), then the inline style."""
    matched: dict[HtmlElement, list[tuple[Rank, Declarations]]] = {}
    indexed, by_tag, by_xpath = _split_selectors(sheet.rules)
    for element, rank, decls in _match_indexed(tree, indexed, by_tag):
        matched.setdefault(element, []).append((rank, decls))
    for rank, selector, decls in by_xpath[:MAX_XPATH_SELECTORS]:
        xpath = _selector_xpath(selector)
        for element in xpath(tree) if xpath is not None else ():
            if isinstance(element, HtmlElement):
                matched.setdefault(element, []).append((rank, decls))
    styles: dict[HtmlElement, Declarations] = {}
    for element, found in matched.items():
        for _, decls in sorted(found, key=lambda pair: pair[0]):
            styles.setdefault(element, {}).update(decls)
    for style in STYLED_XPATH(tree):
        element = style.getparent()
        if element is not None:
            styles.setdefault(element, {}).update(declarations(str(style)))
    return styles


def _split_selectors(
    rules: list[Rule],
) -> tuple[
    dict[str, list[_Selector]], dict[str, list[_Selector]], list[tuple[Rank, str, Declarations]]
]:
    """Selectors indexed by a class/id of their subject, by its tag, and the rest (XPath)."""
    indexed: dict[str, list[_Selector]] = {}
    by_tag: dict[str, list[_Selector]] = {}
    by_xpath: list[tuple[Rank, str, Declarations]] = []
    for order, group, decls in rules:
        for text in (part.strip() for part in group.split(",")):
            rank = (*_specificity(text), order)
            parts = _parse_selector(text)
            if parts is None:
                by_xpath.append((rank, text, decls))
                continue
            tag, names = parts[-1][1]
            selector = _Selector(rank, parts, decls)
            if names:
                indexed.setdefault(min(names), []).append(selector)
            elif tag and hiding_reason(decls):  # `.nav a {color: #fff}`: too many, too common
                by_tag.setdefault(tag, []).append(selector)
    return indexed, by_tag, by_xpath


def _parse_selector(text: str) -> tuple[tuple[str, Compound], ...] | None:
    """Compounds and combinators of a selector; None if it needs more than tags, classes,
    ids and descendant/child combinators."""
    parts: list[tuple[str, Compound]] = []
    for combinator, compound in PART_RE.findall(text):
        match = COMPOUND_RE.match(compound)
        if match is None or combinator in ("+", "~") or not compound:
            return None
        tag = match.group("tag")
        names = frozenset(SIMPLE_NAME_RE.findall(match.group("names")))
        parts.append((combinator, (tag.lower() if tag and tag != "*" else None, names)))
    return tuple(parts) if parts and (parts[-1][1][0] or parts[-1][1][1]) else None


def _specificity(selector: str) -> tuple[int, int, int]:
    """CSS specificity, roughly: ids, classes/attributes/pseudo-classes, tags."""
    ids = selector.count("#")
    classes = selector.count(".") + selector.count("[") + len(PSEUDO_CLASS_RE.findall(selector))
    tags = len(TAG_TOKEN_RE.findall(selector))
    return ids, classes, tags


def _match_indexed(
    tree: HtmlElement, indexed: dict[str, list[_Selector]], by_tag: dict[str, list[_Selector]]
) -> Iterator[tuple[HtmlElement, Rank, Declarations]]:
    """Elements matching the parsed selectors: candidates by their subject, then checked
    right to left against their ancestors (at most MAX_CHECKS checks per page)."""
    names = _NameCache()
    checks = 0
    candidates = [(el, indexed) for el in _named(tree, indexed.keys())] if indexed else []
    for tag in by_tag:
        candidates += [(el, by_tag) for el in tree.iter(tag)]
    for element, index in candidates:
        own = names(element)
        keys = own & index.keys() if index is indexed else {element.tag}
        for selector in (s for key in keys for s in index[key]):
            checks += 1
            if checks > MAX_CHECKS:
                return
            if _matches(element, selector.parts, names):
                yield element, selector.rank, selector.decls


def _named(tree: HtmlElement, names: Iterable[str]) -> list[HtmlElement]:
    """Elements that may carry one of the ``.class``/``#id`` names: found by XPath for a
    few names (the usual case), else every element with a class or id."""
    wanted = sorted(names)
    if len(wanted) > MAX_NAMES_IN_XPATH:
        return list(NAMED_XPATH(tree))
    tests = [f"@id='{n[1:]}'" if n[0] == "#" else f"contains(@class, '{n[1:]}')" for n in wanted]
    return list(tree.xpath(f"//*[{' or '.join(tests)}]"))


class _NameCache:
    """Each element's ``.class``/``#id`` names, computed once per matching pass."""

    def __init__(self) -> None:
        self._names: dict[HtmlElement, set[str]] = {}

    def __call__(self, element: HtmlElement) -> set[str]:
        if element not in self._names:
            self._names[element] = element_names(element)
        return self._names[element]


def _matches(
    element: HtmlElement, parts: tuple[tuple[str, Compound], ...], names: _NameCache
) -> bool:
    """Whether element matches the selector's parts, right to left."""
    if not _compound_matches(element.tag, names(element), parts[-1][1]):
        return False
    node: HtmlElement | None = element
    for index in range(len(parts) - 2, -1, -1):
        child_only = parts[index + 1][0] == ">"
        node = _matching_ancestor(node, parts[index][1], child_only, names)
        if node is None:
            return False
    return True


def _matching_ancestor(
    node: HtmlElement | None, compound: Compound, child_only: bool, names: _NameCache
) -> HtmlElement | None:
    """The nearest ancestor (the parent only, for ``>``) that matches compound."""
    parent = node.getparent() if node is not None else None
    while parent is not None:
        if _compound_matches(parent.tag, names(parent), compound):
            return parent
        if child_only:
            return None
        parent = parent.getparent()
    return None


def _compound_matches(tag: object, names: set[str], compound: Compound) -> bool:
    wanted_tag, wanted_names = compound
    return (wanted_tag is None or tag == wanted_tag) and wanted_names <= names


@functools.lru_cache(maxsize=4096)
def _selector_xpath(selector: str) -> etree.XPath | None:
    """The XPath of a CSS selector; None for what cssselect cannot translate (::before)."""
    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(selector))
    except (SelectorError, ExpressionError, etree.XPathError):
        return None

"""Text a reader cannot see, found as far as static HTML allows, to remove before extraction.

Hidden text is a prompt-injection channel: the page looks harmless to an editor while
the LLM reads instructions. What counts as hidden: the ``hidden``/``aria-hidden``
attributes, ``<template>``, ``<noscript>``, a closed ``<dialog>`` or ``<details>`` (all
but its summary), and styles, inline or from the page's own ``<style>`` rules (css,
cssrules), that hide: ``display:none``, ``visibility:hidden``, tiny fonts, ``opacity``
near 0, transparent text or text the colour of its background, off-screen positions,
``clip``, ``clip-path``, ``scale(0)``, zero-size boxes. External stylesheets and scripts
are not run: that is the limit of static HTML, and the prompt's data fencing stays the
second line of defence. Removal never decides alone what the article is: the extract
stage retries with the largest hidden element kept when removal leaves no article.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement
from tinycss2.color3 import RGBA

from pipeline.ingest.css import (
    MAX_OPACITY,
    WHITE,
    Declarations,
    background_value,
    css_color,
    hiding_reason,
    same_color,
)
from pipeline.ingest.cssrules import StyleSheet, computed_styles, element_names, style_sheet

logger = logging.getLogger(__name__)

HIDING_TAGS = ("template", "noscript", "dialog", "details")  # dialog, details: unless open
HIDING_ATTRIBUTES = etree.XPath("//@hidden | //@aria-hidden")
COLORED_XPATH = etree.XPath("//*[@color]")


@dataclass(frozen=True)
class Hidden:
    """An element a reader cannot see, and why."""

    element: HtmlElement
    reason: str


def find_hidden(tree: HtmlElement) -> list[Hidden]:
    """Every element of the page a reader cannot see (nested ones included)."""
    found = {el: _element_reason(el) for el in _hiding_elements(tree)}
    sheet = style_sheet(tree)
    styles = computed_styles(tree, sheet)
    for element, decls in styles.items():
        reason = hiding_reason(decls) or _same_as_background(element, decls, styles, sheet)
        if reason and element not in found:
            found[element] = reason
    for element in COLORED_XPATH(tree):
        decls = {"color": element.get("color", "")}
        reason = _same_as_background(element, decls, styles, sheet)
        if reason and element not in found:
            found[element] = reason
    return [Hidden(element, reason) for element, reason in found.items()]


def _hiding_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Elements hidden by what they are or by their attributes (cheaper than one XPath)."""
    found = [
        el for el in tree.iter(*HIDING_TAGS) if el.tag in HIDING_TAGS[:2] or el.get("open") is None
    ]
    for attribute in HIDING_ATTRIBUTES(tree):
        element = attribute.getparent()
        if element is not None and (attribute.attrname == "hidden" or attribute == "true"):
            found.append(element)
    return found


def _element_reason(element: HtmlElement) -> str:
    if element.get("hidden") is not None:
        return "hidden attribute"
    if element.get("aria-hidden") == "true":
        return "aria-hidden"
    return f"closed <{element.tag}>" if element.tag in ("details", "dialog") else f"<{element.tag}>"


# --- text the colour of its background -------------------------------------------------


def _same_as_background(
    element: HtmlElement,
    decls: Declarations,
    styles: dict[HtmlElement, Declarations],
    sheet: StyleSheet,
) -> str | None:
    """Why the element's text colour makes it unreadable on its background, if it does."""
    color = css_color(decls.get("color"))
    if color is None:
        return None
    if color.alpha <= MAX_OPACITY:
        return "color: transparent"
    background = _background(element, styles, sheet)
    if background is not None and same_color(color, background):
        return "text colour same as background"
    return None


def _background(
    element: HtmlElement, styles: dict[HtmlElement, Declarations], sheet: StyleSheet
) -> RGBA | None:
    """The nearest declared background colour (white if none); None if it is an image."""
    node: HtmlElement | None = element
    while node is not None:
        found, background = _own_background(node, styles.get(node, {}), sheet)
        if found:
            return background
        node = node.getparent()
    return WHITE


def _own_background(
    node: HtmlElement, decls: Declarations, sheet: StyleSheet
) -> tuple[bool, RGBA | None]:
    """Whether the element itself declares an opaque background, and which (None: image)."""
    value = decls.get("background-color") or decls.get("background") or node.get("bgcolor")
    candidates = [background_value(value)] if value else []
    candidates += [sheet.backgrounds[n] for n in element_names(node) if n in sheet.backgrounds]
    for color in candidates:
        if color is None or color.alpha > MAX_OPACITY:
            return True, color
    return False, None


# --- removal -----------------------------------------------------------------------


def remove_hidden(hidden: list[Hidden], keep: HtmlElement | None = None) -> int:
    """Remove the hidden elements in place, except keep and its ancestors; return how many.

    Kept hidden elements are made plain (a ``<noscript>`` becomes a ``<div>``, hiding
    attributes go) so the extractor reads them; tails (the visible text after an
    element) stay.
    """
    spared = {keep, *keep.iterancestors()} if keep is not None else set()
    removed = 0
    for item in hidden:
        if item.element in spared:
            _unhide(item.element)
        else:
            removed += _remove(item.element)  # inside an already removed element: harmless
    return removed


def _unhide(element: HtmlElement) -> None:
    """Make a kept hidden element plain, so the extractor does not drop it in turn."""
    if element.tag in ("noscript", "template", "dialog", "details"):
        element.tag = "div"
    for attribute in ("hidden", "aria-hidden", "style"):
        element.attrib.pop(attribute, None)
    if element.get("class") is not None:
        classes = [c for c in element.get("class", "").split() if "hid" not in c.lower()]
        element.set("class", " ".join(classes))


def _remove(element: HtmlElement) -> int:
    if element.tag == "details":
        return _close_details(element)
    if element.getparent() is None:
        return 0  # the root: nothing to remove it from (extraction then finds no text)
    element.drop_tree()
    return 1


def _close_details(details: HtmlElement) -> int:
    """Keep only the summary of a closed ``<details>``: the rest is not shown."""
    summary = next((child for child in details if child.tag == "summary"), None)
    details.text = None
    for child in list(details):
        if child is not summary:
            details.remove(child)  # its tail goes too: it is inside the closed details
    if summary is not None:
        summary.tail = None
    return 1


def largest(hidden: list[Hidden]) -> Hidden | None:
    """The hidden element holding the most text (where a page that hides its article has it)."""
    sized = [(len(h.element.text_content()), i) for i, h in enumerate(hidden)]
    if not sized:
        return None
    size, index = max(sized)
    return hidden[index] if size else None


def strip_hidden(tree: HtmlElement) -> int:
    """Remove, in place, every element a reader cannot see; return how many."""
    return remove_hidden(find_hidden(tree))

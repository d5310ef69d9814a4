"""CSS values that hide text: declarations parsed, hiding properties judged, colours read.

Static approximations of what a browser shows: ``display:none``, ``visibility:hidden``,
tiny fonts, ``opacity`` near 0, transparent text, off-screen positions, ``clip``,
``clip-path``, ``scale(0)`` and zero-size boxes hide their element's text.
"""

from __future__ import annotations

import functools
import re

from tinycss2.color3 import RGBA, parse_color

NUMBER_RE = re.compile(r"^(-?\d*\.?\d+)(px|pt|em|rem|%|vw|vh|ex|ch)?$")
SCALE_RE = re.compile(r"\bscale(?:x|y|z|3d)?\(([^)]*)\)")
MATRIX_RE = re.compile(r"\bmatrix\(([^)]*)\)")
RECT_RE = re.compile(r"\brect\(([^)]*)\)")
INSET_RE = re.compile(r"\binset\(\s*(\d+(?:\.\d+)?)%")
ZERO_SHAPE_RE = re.compile(r"\b(?:circle|ellipse)\(\s*0(?:\.0*)?(?:px|%)?(?:[\s)]|$)")
PX_PER_UNIT = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "ex": 8.0, "ch": 8.0, "": 1.0}
TINY_FONT_PX = 3.0  # text smaller than this cannot be read
MAX_OPACITY = 0.1
OFFSCREEN_PX = -500.0
SAME_COLOR = 0.06  # per RGB channel (0–1): text this close to its background is unreadable
WHITE = RGBA(1.0, 1.0, 1.0, 1.0)

Declarations = dict[str, str]


def declarations(style: str) -> Declarations:
    """A CSS declaration block as {property: value}, lowercased, ``!important`` dropped."""
    result: Declarations = {}
    for part in style.split(";"):
        prop, sep, value = part.partition(":")
        if sep:
            result[prop.strip().lower()] = value.lower().replace("!important", "").strip()
    return result


def hiding_reason(decls: Declarations) -> str | None:
    """Why these declarations hide their element's text, or None if they do not."""
    for check in (_hidden_box, _faded, _tiny_font, _clipped, _scaled_away, _offscreen):
        reason = check(decls)
        if reason:
            return reason
    color = css_color(decls.get("color"))
    if isinstance(color, RGBA) and color.alpha <= MAX_OPACITY:
        return "color: transparent"
    return None


def is_hidden_style(style: str) -> bool:
    """True if an inline style hides its element from readers."""
    return hiding_reason(declarations(style)) is not None


def _hidden_box(decls: Declarations) -> str | None:
    if decls.get("display") == "none":
        return "display: none"
    if decls.get("visibility") in ("hidden", "collapse"):
        return "visibility: hidden"
    if decls.get("content-visibility") == "hidden":
        return "content-visibility: hidden"
    clipped = decls.get("overflow", decls.get("overflow-y", "")).split()[:1] in (
        ["hidden"],
        ["clip"],
    )
    sizes = [_px(decls.get(prop)) for prop in ("width", "height", "max-height")]
    if clipped and any(size is not None and size <= 1 for size in sizes):
        return "zero-size box"
    return None


def _faded(decls: Declarations) -> str | None:
    value = decls.get("opacity", "")
    opacity = _number(value.removesuffix("%"))
    if opacity is not None and value.endswith("%"):
        opacity /= 100
    return "opacity near 0" if opacity is not None and opacity <= MAX_OPACITY else None


def _tiny_font(decls: Declarations) -> str | None:
    value = decls.get("font-size", "")
    if value.endswith("%"):
        share = _number(value[:-1])
        return "tiny font" if share is not None and share * 0.16 < TINY_FONT_PX else None
    size = _px(value)
    return "tiny font" if size is not None and 0 <= size < TINY_FONT_PX else None


def _clipped(decls: Declarations) -> str | None:
    rect = RECT_RE.search(decls.get("clip", ""))
    if rect:
        edges = [_px(v) for v in re.split(r"[\s,]+", rect.group(1).strip())]
        if len(edges) == 4 and None not in edges:
            top, right, bottom, left = (e or 0.0 for e in edges)
            if bottom <= top or right <= left:
                return "clip: rect(0 0 0 0)"
    path = decls.get("clip-path", "")
    inset = INSET_RE.search(path)
    if (inset and float(inset.group(1)) >= 50) or ZERO_SHAPE_RE.search(path):
        return "clip-path hides all"
    return None


def _scaled_away(decls: Declarations) -> str | None:
    transform = decls.get("transform", "")
    for match in SCALE_RE.finditer(transform):
        if any(_number(arg) == 0 for arg in re.split(r"[\s,]+", match.group(1).strip())):
            return "transform: scale(0)"
    matrix = MATRIX_RE.search(transform)
    if matrix:
        values = [_number(v) for v in matrix.group(1).split(",")]
        if len(values) == 6 and values[0] == values[3] == 0 and values[1] == values[2] == 0:
            return "transform: matrix(0…)"
    return None


def _offscreen(decls: Declarations) -> str | None:
    positioned = decls.get("position") in ("absolute", "fixed", "relative")
    props = ("text-indent", "margin-left", "margin-top") + (("left", "top") if positioned else ())
    for prop in props:
        offset = _px(decls.get(prop))
        if offset is not None and offset <= OFFSCREEN_PX:
            return f"off-screen ({prop})"
    right = _px(decls.get("right")) if positioned else None
    return "off-screen (right)" if right is not None and right >= -OFFSCREEN_PX * 10 else None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _px(value: str | None) -> float | None:
    """A CSS length in (roughly) CSS pixels; None for anything else (auto, calc(), %)."""
    match = NUMBER_RE.match((value or "").strip())
    if not match or match.group(2) in ("%", "vw", "vh"):
        return None
    return float(match.group(1)) * PX_PER_UNIT[match.group(2) or ""]


@functools.lru_cache(maxsize=4096)
def css_color(value: str | None) -> RGBA | None:
    """A CSS colour value as RGBA, None if it is no plain colour (currentColor, images…)."""
    if not value:
        return None
    for token in value.replace(",", ", ").split() if "(" not in value else [value]:
        color = parse_color(token)
        if isinstance(color, RGBA):
            return color
    return None


def background_of(decls: Declarations) -> RGBA | None:
    """The background colour declared (None if none, an image or a gradient)."""
    value = decls.get("background-color") or decls.get("background")
    return background_value(value) if value else None


def background_value(value: str) -> RGBA | None:
    """A background value's colour; None for an image or a gradient, whose colour is unknown."""
    return None if "url(" in value or "gradient" in value else css_color(value)


def same_color(a: RGBA, b: RGBA) -> bool:
    """Whether two colours are too close to read one on the other."""
    return all(abs(x - y) <= SAME_COLOR for x, y in zip(a[:3], b[:3], strict=True))


def may_vanish(decls: Declarations) -> bool:
    """Whether a rule's text colour is transparent, white, or its own background."""
    color = css_color(decls.get("color"))
    if color is None:
        return False
    return color.alpha <= MAX_OPACITY or same_color(color, background_of(decls) or WHITE)

"""Tiny TrueType fonts made on the spot, so font handling is tested without system fonts.

Every mapped character gets the same rectangle glyph; what a test controls is which
characters the font maps (its character map), its family and its style.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.tables._g_l_y_f import Glyph

# What the cover tests draw, plus the probe a Chinese face must have (markdown.fonts.PROBE).
CARD_CHARS = (
    "中文日报人工智能AI 早周星期一二三四五六日年月0123456789…"
    "模型发布融资亿美元大突破，。：、OpenAIGemniDpThkStrsuclv-."
)


def _bar() -> Glyph:
    pen = TTGlyphPen(None)
    for x, y in ((100, 0), (100, 700), (500, 700), (500, 0)):
        (pen.lineTo if (x, y) != (100, 0) else pen.moveTo)((x, y))
    pen.closePath()
    return pen.glyph()


def tiny_font(path: Path, chars: str = CARD_CHARS, style: str = "Regular") -> Path:
    """Write a TrueType font mapping exactly ``chars`` (one glyph shape for all) to path."""
    unique = sorted(set(chars) - {" "})
    names = [".notdef", "space", *(f"u{ord(c):04X}" for c in unique)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{ord(c): f"u{ord(c):04X}" for c in unique}})
    builder.setupGlyf({n: _bar() for n in names})
    builder.setupHorizontalMetrics({n: (600, 100) for n in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Tiny Test", "styleName": style})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return path

"""Decoding: HTML bytes to text (BOM, declared charset, detection), traditional to simplified."""

from __future__ import annotations

import codecs
import functools
import logging
import re

import charset_normalizer
from opencc import OpenCC

logger = logging.getLogger(__name__)

# Encodings that are subsets of a wider one: decode with the superset (WHATWG labels).
ENCODING_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:\-]+)", re.I)
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+")
TRADITIONAL_SAMPLE = 4000  # CJK chars looked at to decide whether a text is traditional
TRADITIONAL_SHARE = 0.08  # traditional text changes ~20-35 % of its CJK chars, simplified ~0 %
MIN_HAN = 20  # fewer Chinese characters than this is a label or a name, not Chinese text
MIN_HAN_SHARE = 0.3  # of Han + Latin letters: below it, the Chinese is a menu on another page
MAX_KANA_SHARE = 0.05  # Japanese mixes kana into its kanji; Chinese has (almost) none
STATISTICS_CHARS = 6000  # of the text looked at: enough to tell, bounded for long articles


# --- bytes to text -----------------------------------------------------------------


def decode_html(content: bytes, http_charset: str | None) -> tuple[str, str]:
    """Decode an HTML page: BOM, HTTP charset, ``<meta>`` charset, then detection."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace"), encoding
    match = META_CHARSET_RE.search(content[:2048])
    meta = match.group(1).decode("ascii") if match else None
    for label in (http_charset, meta):
        declared = _codec(label)
        if declared:
            try:
                return content.decode(declared), declared
            except UnicodeDecodeError:
                logger.debug("declared charset %s does not decode the page", label)
    detected = _detect(content)
    return content.decode(detected, errors="replace"), detected


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label (widened to its superset), or None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return ENCODING_SUPERSETS.get(name, name)


def _detect(content: bytes) -> str:
    best = charset_normalizer.from_bytes(content).best()
    return (_codec(best.encoding) if best else None) or "utf-8"


# --- traditional to simplified -----------------------------------------------------


@functools.cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def is_traditional(text: str, declared_lang: str | None = None) -> bool:
    """Whether text is traditional Chinese: the declared language first, then its characters.

    A page declared in another language (``ja``, ``en``…) never is: Japanese kanji and a
    language menu's 繁體中文 are not traditional Chinese. Otherwise the text must be mostly
    Chinese characters (no kana) of which t2s would change a sizeable share.
    """
    if not _may_be_chinese(declared_lang):
        return False
    text = text[:STATISTICS_CHARS]
    han = CJK_RE.findall(text)
    if len(han) < MIN_HAN or len(KANA_RE.findall(text)) > MAX_KANA_SHARE * len(han):
        return False
    latin = sum(len(word) for word in LATIN_RE.findall(text))
    if len(han) < MIN_HAN_SHARE * (len(han) + latin):
        return False
    sample = "".join(han[:TRADITIONAL_SAMPLE])
    changed = sum(a != b for a, b in zip(sample, simplify(sample), strict=False))
    return changed / len(sample) >= TRADITIONAL_SHARE


def _may_be_chinese(declared_lang: str | None) -> bool:
    """False only when a language is declared and it is not Chinese."""
    primary = (declared_lang or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return not primary or primary == "zh"


def simplify(text: str) -> str:
    """Convert text from traditional to simplified Chinese, unconditionally."""
    return str(_t2s().convert(text))


def to_simplified(text: str, declared_lang: str | None = None) -> tuple[str, bool]:
    """Text in simplified Chinese if it was traditional Chinese, and whether it was."""
    if is_traditional(text, declared_lang):
        return simplify(text), True
    return text, False

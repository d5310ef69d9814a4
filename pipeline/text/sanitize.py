"""The one sanitiser of text bound for a draft or a record, and the one link check.

Whatever produced a string (the LLM, an extractive fallback, a feed title), it reaches
a draft only through :func:`sanitize_text`: invisible and control characters are
removed, raw HTML is removed (``<`` left over is escaped), Markdown links and bare
URLs that fail the link check are removed (a link keeps its text), and a
link-reference definition cannot be smuggled in. :func:`check_link` is the link
check: an absolute http(s) URL without credentials, and, when the caller knows the
sources, one of them. ``pipeline.check.grounding`` calls both with the story's sources;
``pipeline.markdown.render`` calls them again on every string it lays out, as the last net.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

LinkCheck = Callable[[str], bool]

# Bidi controls, zero-width characters, invisible operators and the BOM: they reorder or
# hide text (U+202E shows "gpj.exe" as "exe.jpg") without showing themselves.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0e\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"  # tag characters: "ASCII smuggling"
)
# C0 and C1 controls except tab and newlines: terminal escapes, YAML-illegal bytes.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

HTML_BLOCK = re.compile(r"(?is)<(script|style|iframe|object|template|svg|math)\b[^>]*>.*?</\1\s*>")
HTML_COMMENT = re.compile(r"(?s)<!--.*?(?:-->|$)")
HTML_TAG = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9:-]*)\b(?:[^<>]*)?/?>")
MD_LINK = re.compile(
    r"(?P<img>!?)\[(?P<text>[^\]\n]*)\]\(\s*<?(?P<url>[^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
BARE_URL = re.compile(
    r"(?i)(?<![A-Za-z0-9])(?:https?://|www\.)[^\s<>()\[\]（）【】「」\"'，。；！？、]+"
)
URL_TRAIL = ".,;:!?'\"”’"
# ``[label]: destination`` at the start of a line defines a link for every ``[label]``.
REFERENCE_DEFINITION = re.compile(r"^(\s{0,3})\[([^\]\n]*)\]:", re.MULTILINE)
WEB_SCHEMES = frozenset({"http", "https"})
_SCHEME_COLON = re.compile(r"(?i)\b(https?|ftp|file|javascript|vbscript|data):")
_ANGLES = str.maketrans({"<": "‹", ">": "›"})


def strip_invisible(text: str) -> str:
    """The text without bidi, zero-width and other invisible or control characters."""
    return CONTROL.sub("", INVISIBLE.sub("", text))


def invisible_characters(text: str) -> list[str]:
    """The invisible or control characters in a text, named (``U+202E RIGHT-TO-LEFT OVERRIDE``)."""
    found = [m.group() for m in INVISIBLE.finditer(text)] + CONTROL.findall(text)
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'CONTROL')}" for c in dict.fromkeys(found)]


def sanitize_text(text: str, link_ok: LinkCheck, findings: list[str]) -> str:
    """The text safe for a draft; what was removed is appended to findings."""
    text = strip_invisible(text)
    text = _strip_html(text, findings)
    text = _drop_links(text, link_ok, findings)
    return REFERENCE_DEFINITION.sub(r"\1\\[\2]:", text)


def defang(text: str) -> str:
    """A finding shown in a draft names what was removed without being it (``https[:]//a[.]b``)."""
    text = BARE_URL.sub(lambda m: m.group().replace(".", "[.]"), text)
    return _SCHEME_COLON.sub(r"\1[:]", text).translate(_ANGLES)


def check_link(url: str, allowed: Collection[str] | None = None) -> bool:
    """Whether url may be a link in a draft: absolute http(s), no credentials, an allowed source.

    ``allowed`` holds :func:`link_key` forms; None accepts any web link (the render net).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname or "@" in parts.netloc:
        return False
    if strip_invisible(url) != url:
        return False
    return allowed is None or link_key(url) in allowed


def link_key(url: str) -> str:
    """Scheme-less, host lower-case, no fragment, no trailing slash: for comparing links."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    if not host and parts.path.lower().startswith("www."):  # "www.example.com/x"
        host, _, path = parts.path.lower().removeprefix("www.").partition("/")
        return f"{host}/{path}".rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"


def _strip_html(text: str, findings: list[str]) -> str:
    for m in HTML_BLOCK.finditer(text):
        findings.append(f"HTML 标签 <{m.group(1).lower()}> 已删除")
    text = HTML_COMMENT.sub("", HTML_BLOCK.sub("", text))
    for m in HTML_TAG.finditer(text):
        findings.append(f"HTML 标签 <{m.group(1).lower()}> 已删除")
    return HTML_TAG.sub("", text).replace("<", "&lt;")


def _drop_links(text: str, link_ok: LinkCheck, findings: list[str]) -> str:
    def markdown(m: re.Match[str]) -> str:
        if link_ok(m["url"]):
            return m.group()
        findings.append(f"链接 {m['url']} 不是本条来源")
        return "" if m["img"] else m["text"]

    text = MD_LINK.sub(markdown, text)
    kept = [(m.start(), m.end()) for m in MD_LINK.finditer(text)]
    out, pos = [], 0
    for m in BARE_URL.finditer(text):
        url = m.group().rstrip(URL_TRAIL)
        absolute = url if "://" in url else "https://" + url
        if any(s <= m.start() < e for s, e in kept) or link_ok(absolute):
            continue
        findings.append(f"链接 {url} 不是本条来源")
        out.append(text[pos : m.start()])
        pos = m.start() + len(url)
    return "".join(out) + text[pos:]

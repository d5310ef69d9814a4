"""Sentences of plain text and a token estimate: the text primitives the stages share."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

CJK_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
SENTENCE_RE = re.compile(r"[^\n]+?(?:[。！？!?；]+[”’」』）)\"']*|\.(?=\s)|$)", re.M)
MAX_SENTENCE_CHARS = 400


def estimate_tokens(text: str) -> int:
    """Rough token count: a CJK character ≈ 1 token, about 4 other characters ≈ 1 token."""
    cjk = len(CJK_RE.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (Chinese and Latin punctuation, line breaks), stripped."""
    found = (m.group(0).strip() for m in SENTENCE_RE.finditer(text))
    return [s[:MAX_SENTENCE_CHARS] for s in found if s]


def join_sentences(sentences: Sequence[str]) -> str:
    """Join sentences, with a space only between Latin ones."""
    out = ""
    for sentence in sentences:
        gap = "" if not out or CJK_RE.match(out[-1]) or CJK_RE.match(sentence[0]) else " "
        out += gap + sentence
    return out

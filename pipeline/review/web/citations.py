"""Which sentences of a source article a story's claims rest on. Pure: no I/O.

A claim (the story's lead, a fact line, an analysis paragraph) is matched against each
sentence of its cited articles by what the grounding check trusts: the same numbers
(with units, across Chinese and English), the same Latin-script names, and shared
Chinese character pairs. The sentences that match are highlighted in the source pane.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from pipeline.check.quantities import Quantity, extract_quantities, quantities_match

SENTENCE_BREAK = re.compile(r"[。！？!?]+[”’\"」』）)]*|(?<=[a-z0-9%)\]])\.(?=\s+\S)|\n+")
MARKER = re.compile(r"【待核实[^】\n]*】|【待编辑】")
MD_LINK = re.compile(r"!?\[((?:\\.|[^\]\\\n])*)\]\([^)\n]*\)")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# fmt: off
COMMON_WORDS = frozenset((
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "as", "is",
    "are", "was", "were", "be", "it", "its", "this", "that", "from", "ai", "app", "api", "model",
    "models", "new", "has", "have", "had", "will", "can", "more", "than", "per", "via", "after",
    "before", "on", "in", "but", "not", "we", "our", "they", "their", "he", "she", "his", "her",
))
# fmt: on
# pairs so common in news that sharing them says nothing
GENERIC_PAIRS = frozenset(
    ("公司", "宣布", "发布", "报道", "表示", "目前", "已经", "进行", "通过", "相关", "成为", "美元")
)
NUMBERLESS_OVERLAP = 0.5  # overlap a claim with numbers needs when none of them match
CLOSE_WORDING = 0.35  # overlap that supports a claim on its own
SOME_WORDING = 0.15  # overlap that, with two shared names, supports a claim
VERSION_BEFORE = re.compile(r"([A-Za-z][A-Za-z0-9.]*)[ \-]?$")
MIN_SCORE = 1.0
PER_ARTICLE = 2  # sentences highlighted per claim and article, best first
NUMBER_WEIGHT, NAME_WEIGHT, OVERLAP_WEIGHT = 1.0, 0.5, 3.0


class Claim(BaseModel):
    """A piece of the draft that makes claims: its id, text and cited article URLs."""

    id: str
    text: str
    sources: list[str] = Field(default_factory=list)  # empty: any of the story's articles


class Piece(BaseModel):
    """A run of article text; highlighted when ``claims`` (claim ids) is not empty."""

    text: str
    claims: list[str] = Field(default_factory=list)
    anchors: list[str] = Field(default_factory=list)  # ids of the claims first cited here


@dataclass(frozen=True)
class Features:
    """What a sentence or claim says that can be compared."""

    quantities: tuple[Quantity, ...]
    names: frozenset[str]
    pairs: frozenset[str]


def plain(text: str) -> str:
    """Claim text without markers, Markdown links and emphasis."""
    text = MARKER.sub("", text)
    text = MD_LINK.sub(lambda m: m.group(1), text)
    return text.replace("**", "").replace("`", "")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of a text, whitespace trimmed, empty ones skipped."""
    spans, start = [], 0
    for m in SENTENCE_BREAK.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))[0] < trimmed[1]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def features(text: str) -> Features:
    """The numbers, names and content terms (Chinese character pairs, English words) of a text."""
    found_quantities = extract_quantities(text)
    quantities = tuple(q for q in found_quantities if _significant(q) and not _version(text, q))
    words_only = _without_spans(text, [(q.start, q.end) for q in found_quantities])
    found = [(m.start(), m.group()) for m in LATIN_WORD.finditer(text)]
    words = [w for _, w in found if w.lower() not in COMMON_WORDS]
    first = found[0][0] if found and not text[: found[0][0]].strip() else -1
    names = frozenset(w.lower() for at, w in found if at != first and _is_name(w))
    runs = HAN_RUN.findall(words_only)
    pairs = {run[i : i + 2] for run in runs for i in range(len(run) - 1)} - GENERIC_PAIRS
    pairs |= {"w:" + w.lower() for w in words if len(w) >= 4 and w.lower() not in names}
    return Features(quantities, names, frozenset(pairs))


def _version(text: str, q: Quantity) -> bool:
    """A bare number that is part of a name (``Opus 4.6``, ``GPT-5.3``, ``v2``): not evidence."""
    before = VERSION_BEFORE.search(text, 0, q.start)
    if q.unit != "none" or before is None:
        return False
    word = before.group(1)
    return word in ("v", "V") or (_is_name(word) and word.lower() not in COMMON_WORDS)


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """text with the spans blanked out (numbers and their units are not words)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _is_name(word: str) -> bool:
    """A product, company or benchmark name: capitalised or with digits (Waymo, GPT-5)."""
    if len(word) < 2 or word.lower() in COMMON_WORDS:
        return False
    return word[0].isupper() or any(c.isdigit() for c in word)


def _significant(q: Quantity) -> bool:
    """Small bare counts (1, 2, 3 …) match too much to count as evidence."""
    return q.kind == "date" or q.unit != "none" or q.value >= 10 or q.value != int(q.value)


def score(claim: Features, sentence: Features) -> float:
    """How strongly a sentence supports a claim (0: not at all)."""
    numbers = sum(
        1 for q in claim.quantities if any(quantities_match(q, e) for e in sentence.quantities)
    )
    names = len(claim.names & sentence.names)
    overlap = _overlap(claim.pairs, sentence.pairs)
    if claim.quantities and not numbers and overlap < NUMBERLESS_OVERLAP:
        return 0.0  # the claim's numbers are its point: wording alone must be close
    if not numbers and overlap < CLOSE_WORDING and (names < 2 or overlap < SOME_WORDING):
        return 0.0  # the story's names are in most of its sentences: they need wording too
    return NUMBER_WEIGHT * numbers + NAME_WEIGHT * names + OVERLAP_WEIGHT * overlap


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared pairs over the smaller side, damped for very short sentences."""
    if not a or not b:
        return 0.0
    smaller = min(len(a), len(b))
    return len(a & b) / smaller * min(1.0, smaller / 8)


def cited_sentences(text: str, claims: list[Claim]) -> dict[int, list[str]]:
    """For each sentence index of ``text``, the claims it supports (only sentences that do)."""
    spans = sentence_spans(text)
    feats = [features(text[s:e]) for s, e in spans]
    found: dict[int, list[str]] = {}
    for claim in claims:
        wanted = features(plain(claim.text))
        ranked = sorted(((score(wanted, f), i) for i, f in enumerate(feats)), reverse=True)
        for value, index in ranked[:PER_ARTICLE]:
            if value >= MIN_SCORE:
                found.setdefault(index, []).append(claim.id)
    return found


def highlight(text: str, claims: list[Claim], seen: set[str], prefix: str) -> list[Piece]:
    """An article text as pieces, the sentences its claims cite marked.

    The first sentence found for a claim (across calls sharing ``seen``) carries the
    anchor ``<prefix>-<claim id>`` so that a link can jump to it.
    """
    spans = sentence_spans(text)
    cited = cited_sentences(text, claims)
    pieces: list[Piece] = []
    pos = 0
    for index, (start, end) in enumerate(spans):
        if index not in cited:
            continue
        if start > pos:
            pieces.append(Piece(text=text[pos:start]))
        ids = cited[index]
        fresh = [c for c in ids if c not in seen]
        seen.update(fresh)
        anchors = [f"{prefix}-{c}" for c in fresh]
        pieces.append(Piece(text=text[start:end], claims=ids, anchors=anchors))
        pos = end
    if pos < len(text):
        pieces.append(Piece(text=text[pos:]))
    return pieces

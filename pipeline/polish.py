"""Checks of a written story against its input, repaired in code rather than asked again.

- A fact's label must fit its fact: it is found in the fact or in the source sentences
  that carry it (a label copied from elsewhere, such as an example, is replaced by one
  derived from the fact's text).
- The 影响 block is kept only for a story the input marks as market-related.
- No sentence is said twice: repeated facts are dropped, and analysis paragraphs lose the
  sentences that repeat the lead, the facts or an earlier paragraph.
- The story is written in Chinese: a sentence copied in English from a source is dropped
  (a fact that is one is dropped whole).
Every change is described in the returned repairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.excerpt import join_sentences, split_sentences
from pipeline.models import Story
from pipeline.repair import (
    LABEL_TOPICS,
    Seen,
    derive_label,
    foreign,
    fresh_paragraphs,
    sentence_key,
)

HAN_RE = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9.+-]{1,}")
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
TOPIC_PATTERNS = dict(LABEL_TOPICS)
SUPPORT_SIMILARITY = 0.25  # bigram overlap at which a source sentence carries a fact


def _cjk_bigrams(text: str) -> set[str]:
    chars = "".join(HAN_RE.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _latin_words(text: str) -> set[str]:
    return {w.lower().rstrip(".") for w in LATIN_WORD_RE.findall(text)}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def carrying_sentences(fact: str, sources: Sequence[str]) -> list[str]:
    """The source sentences that say what a fact says (a shared number, name or wording)."""
    numbers, words, grams = set(NUMBER_RE.findall(fact)), _latin_words(fact), _cjk_bigrams(fact)
    found = []
    for sentence in sources:
        if (
            numbers & set(NUMBER_RE.findall(sentence))
            or words & _latin_words(sentence)
            or _overlap(grams, _cjk_bigrams(sentence)) >= SUPPORT_SIMILARITY
        ):
            found.append(sentence)
    return found


def label_fits(label: str, text: str, sources: Sequence[str]) -> bool:
    """Whether a label names what its fact (or the sentences carrying it) is about."""
    if label in TOPIC_PATTERNS and TOPIC_PATTERNS[label].search(text):
        return True
    context = " ".join([text, *carrying_sentences(text, sources)])
    grams = _cjk_bigrams(label)
    if grams & _cjk_bigrams(context):
        return True
    words = _latin_words(label)
    return bool(words) and words <= _latin_words(context)


def source_sentences(story: Story) -> list[str]:
    """Every sentence of the story's articles (titles included)."""
    return [s for a in story.articles for s in [a.title, *split_sentences(a.text)]]


class Polisher:
    """One story's checks; ``repairs`` lists what was changed."""

    def __init__(self, story: Story) -> None:
        self.sources = source_sentences(story)
        self.repairs: list[str] = []

    def label(self, label: str, text: str) -> str:
        """The label, or one derived from the fact's text when it does not fit the fact."""
        if label_fits(label, text, self.sources):
            return label
        new = derive_label(text)
        self.repairs.append(f"label {label!r} does not fit its fact: now {new!r}")
        return new

    def unique(self, texts: Sequence[str], what: str, said: Sequence[str] = ()) -> list[int]:
        """Indexes of the texts that do not repeat an earlier one (or what was ``said``);
        all of them if every one would go."""
        keep, seen = [], Seen(said)
        for n, text in enumerate(texts):
            if sentence_key(text) and all(seen.said(s) for s in split_sentences(text)):
                continue
            seen.add(text)
            keep.append(n)
        if not keep:
            return list(range(len(texts)))
        self.repairs += [
            f"{what} {n + 1} repeats the lead or an earlier {what}: dropped"
            for n in range(len(texts))
            if n not in keep
        ]
        return keep

    def chinese(self, text: str, what: str) -> str:
        """Text without its English sentences (all of it if nothing Chinese would be left)."""
        sentences = split_sentences(text)
        kept = [s for s in sentences if not foreign(s)]
        if not kept or len(kept) == len(sentences):
            return text.strip()
        self.repairs.append(f"{what}: {len(sentences) - len(kept)} English sentence(s) dropped")
        return join_sentences(kept)

    def chinese_facts(self, texts: Sequence[str]) -> list[int]:
        """Indexes of the facts written in Chinese (all of them if none is)."""
        keep = [n for n, text in enumerate(texts) if not foreign(text)]
        if not keep:
            return list(range(len(texts)))
        self.repairs += [
            f"fact {n + 1} is in English: dropped" for n in range(len(texts)) if n not in keep
        ]
        return keep

    def analysis(self, paragraphs: Sequence[str], said: Sequence[str]) -> list[str]:
        """Analysis paragraphs in Chinese, without the sentences already said in the story."""
        paragraphs = [self.chinese(p, "analysis") for p in paragraphs]
        kept, dropped = fresh_paragraphs(paragraphs, Seen(said))
        if dropped:
            self.repairs.append(f"analysis: {dropped} repeated sentence(s) dropped")
        if len(kept) < len([p for p in paragraphs if p.strip()]):
            self.repairs.append(f"analysis: {len(paragraphs) - len(kept)} paragraph(s) dropped")
        return kept

    def impact(self, count: int, market: bool) -> bool:
        """Whether a story may keep its 影响 block (only market-related stories have one)."""
        if count and not market:
            self.repairs.append("impact dropped: the story is not market-related")
        return market

"""What of an article the LLM is sent: sentences picked under a token budget, escaped as data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date as Date
from typing import Any

from pipeline.config import Section
from pipeline.llm.prompts import Prompts
from pipeline.models import DEGRADED_MARK, Article, Story, StoryDraft
from pipeline.text.sentences import estimate_tokens, join_sentences, split_sentences

# what makes a story market-related (and so allowed an 影响 block): capital-market words
# in a title; a bare 上市 is left out, it mostly means a product goes on sale
CAPITAL_RE = re.compile(
    r"融资|估值|股价|市值|IPO|上市公司|挂牌|港股|美股|A股|概念股|财报|营收|收购|并购|投资"
    r"|funding|raises|valuation|shares|stock|earnings|revenue|acquisition|acquires|\binvest",
    re.I,
)
NUMBER_RE = re.compile(r"\d")
NAME_RE = re.compile(r"\b[A-Z][A-Za-z0-9]+|[《“「][^》”」]{1,30}[》”」]")
NORMALISE_RE = re.compile(r"[\W_]+")
TAG_LIKE_RE = re.compile(r"<(\s*/?\s*(?:article|story|item)\b[^<>]*)>", re.I)
LEAD_SENTENCES = 2
NEAR_DUPLICATE = 0.75
MORE_TEXT_TOKENS = 120


# ---------------------------------------------------------------- text and budget


def clip(text: str, tokens: int) -> str:
    """The leading sentences of text that fit in about ``tokens`` tokens."""
    picked: list[str] = []
    for sentence in split_sentences(text):
        if picked and estimate_tokens(join_sentences([*picked, sentence])) > tokens:
            break
        picked.append(sentence)
    return join_sentences(picked)


def escape_data(text: str) -> str:
    """Defuse tags in article text that look like the prompt's data delimiters."""
    return TAG_LIKE_RE.sub(lambda m: f"＜{m.group(1)}＞", text)


def _normalise(sentence: str) -> str:
    return NORMALISE_RE.sub("", sentence.lower())


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)}


class _Picker:
    """Greedy sentence selection under a budget, dropping repeats across articles."""

    def __init__(self, budget: int) -> None:
        self.left = budget
        self.seen: list[set[str]] = []
        self.keys: set[str] = set()

    def take(self, sentence: str) -> bool:
        key = _normalise(sentence)
        cost = estimate_tokens(sentence) + 1
        if len(key) < 4 or key in self.keys or cost > self.left or self._near_duplicate(key):
            return False
        self.keys.add(key)
        self.seen.append(_bigrams(key))
        self.left -= cost
        return True

    def _near_duplicate(self, key: str) -> bool:
        grams = _bigrams(key)
        return any(len(grams & s) / max(1, len(grams | s)) >= NEAR_DUPLICATE for s in self.seen)


def _tier(index: int, sentence: str) -> int:
    if index < LEAD_SENTENCES:
        return 0
    return 1 if NUMBER_RE.search(sentence) or NAME_RE.search(sentence) else 2


def _sentences_by_paragraph(text: str) -> list[tuple[int, str]]:
    return [(p, s) for p, para in enumerate(text.split("\n")) for s in split_sentences(para)]


def _join_paragraphs(picked: Sequence[tuple[int, str]]) -> str:
    paragraphs: dict[int, list[str]] = {}
    for para, sentence in picked:
        paragraphs.setdefault(para, []).append(sentence)
    return "\n".join(join_sentences(group) for group in paragraphs.values())


def select_text(articles: Sequence[Article], budget: int) -> list[str]:
    """Each article's excerpt: leads, then sentences with numbers and names, then the rest."""
    split = [_sentences_by_paragraph(a.text) for a in articles]
    # within a tier, take members in turn (by position) so no member is crowded out
    order = sorted(
        (_tier(i, s), i, n)
        for n, sentences in enumerate(split)
        for i, (_, s) in enumerate(sentences)
    )
    picker, chosen = _Picker(budget), [set[int]() for _ in articles]
    for _, i, n in order:
        if picker.take(split[n][i][1]):
            chosen[n].add(i)
    return [
        _join_paragraphs([item for i, item in enumerate(sents) if i in chosen[n]])
        for n, sents in enumerate(split)
    ]


# ---------------------------------------------------------------- payloads


def market_relevant(story: Story) -> bool:
    """Whether a story is about capital markets: its section, or a capital word in a title."""
    return story.section == "capital" or any(CAPITAL_RE.search(a.title) for a in story.articles)


def _story_payload(story: Story, texts: Sequence[str]) -> dict[str, Any]:
    return {
        "section": story.section,
        "market": market_relevant(story),
        "follow_up_of": escape_data(story.follow_up_of or ""),
        "articles": [
            {
                "id": f"a{n + 1}",
                "source": escape_data(a.source),
                "title": escape_data(a.title),
                "url": a.url,
                "published": a.published.strftime("%Y-%m-%d %H:%M"),
                "text": escape_data(text),
            }
            for n, (a, text) in enumerate(zip(story.articles, texts, strict=True))
        ],
    }


def story_input(story: Story, budget: int, prompts: Prompts) -> dict[str, Any]:
    """The data of a story's user message, trimmed so the whole message fits the budget."""
    articles = list(story.articles)
    while True:
        empty = _story_payload(
            story.model_copy(update={"articles": articles}), [""] * len(articles)
        )
        overhead = estimate_tokens(prompts.render("story.user.j2", token="x" * 10, **empty))
        if overhead <= budget // 2 or len(articles) == 1:
            break
        articles.pop()  # too many members to quote: keep the leading ones
    trimmed = story.model_copy(update={"articles": articles})
    return _story_payload(trimmed, select_text(articles, budget - overhead))


def digest_input(
    main: Sequence[Story],
    drafts: Mapping[str, StoryDraft],
    more: Sequence[Story],
    sections: Sequence[Section],
    *,
    date: Date,
) -> dict[str, Any]:
    """The data of the digest call: written headlines and leads, 更多动态 candidates, clipped."""
    written = [(s, drafts[s.id]) for s in main if s.id in drafts]
    headlines = {s.id: escape_data(d.headline.removeprefix(DEGRADED_MARK)) for s, d in written}
    return {
        "date": date.isoformat(),
        "stories": [
            {
                "id": f"s{n + 1}",
                "section": s.section,
                "headline": headlines[s.id],
                "lead": escape_data(clip(d.lead, MORE_TEXT_TOKENS)),
            }
            for n, (s, d) in enumerate(written)
        ],
        "sections": [
            {
                "key": sec.key,
                "title": sec.title,
                "headlines": [headlines[s.id] for s, _ in written if s.section == sec.key],
            }
            for sec in sections
            if any(s.section == sec.key for s, _ in written)
        ],
        "more": [
            {
                "id": f"m{n + 1}",
                "source": escape_data(s.primary.source),
                "title": escape_data(s.primary.title),
                "text": escape_data(clip(s.primary.text, MORE_TEXT_TOKENS)),
            }
            for n, s in enumerate(more)
        ],
    }

"""Stories stage, relevance: is an article AI news? The rules accept what they are sure of,
the LLM judges the rest.

An article is dropped as off-topic only by the LLM's "no" or, when no LLM answers
(``--no-llm``, or the call failed), only when the rules are confident: off-topic words
and not a single AI term. When the LLM calls it not news (a how-to guide, an outlet's own
ad), the reason is ``not-news``. Every drop records who decided (``Dropped.by``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.config import LLMSettings
from pipeline.errors import LLMError
from pipeline.llm.client import Cache, LLMClient
from pipeline.llm.prompts import PROMPTS_DIR, Prompts
from pipeline.models import Article, Dropped, Judgement, LLMStats
from pipeline.store.files import sha256_text
from pipeline.stories.textsim import (
    AI_TERMS,
    OFF_TERMS,
    SENTENCE_RE,
    strip_boilerplate,
    term_pattern,
)

log = logging.getLogger(__name__)

Decision = Literal["ai", "off", "unsure"]
# a choice among named categories is easier for small models than a bare yes/no
Category = Literal["ai", "finance", "politics", "other-tech", "notice", "other"]
AI_THRESHOLD = 0.5  # relevance() at or above: AI news by the rules (may be a main story)
ACCEPT_SCORE = 6.0  # rule score the rules accept alone (with two distinct AI terms)
REJECT_OFF_SCORE = 3.0  # off-topic weight the rules reject alone (with no AI term at all)
LEAN_SCORE = 3.0  # rule score at which the rules lean to AI news: an LLM "no" cannot drop
OUTCOMES = (
    "rules_ai",
    "llm_ai",
    "llm_off",
    "llm_off_kept",
    "llm_not_news",
    "rules_off",
    "undecided",
)
BATCH = 5  # articles per LLM call: small models lose track of longer lists
TITLE_CHARS, LEAD_CHARS = 120, 160

# (term, pattern, weight, needle): the needle is a plain substring the pattern's match must
# contain (lower-cased for the case-blind Latin terms), a cheap test before the regex
_AI_RES = [(t, term_pattern(t), w, t.lower() if t.isascii() else t) for t, w in AI_TERMS.items()]
_OFF_RES = [(t, term_pattern(t), w, t.lower() if t.isascii() else t) for t, w in OFF_TERMS.items()]


class JudgedItem(BaseModel):
    """One item of the LLM's answer."""

    model_config = ConfigDict(extra="ignore")

    id: str
    category: Category

    @property
    def ai(self) -> bool:
        """Whether the category is AI news."""
        return self.category == "ai"

    @property
    def news(self) -> bool:
        """False for what is not news at all: a how-to guide, an outlet's own ad."""
        return self.category != "notice"


class JudgeOut(BaseModel):
    """The LLM's answer for one batch."""

    model_config = ConfigDict(extra="ignore")

    items: list[JudgedItem]


class Relevance(BaseModel):
    """The outcome of relevance for a window: kept, dropped (with who decided), undecided."""

    kept: list[Article]
    dropped: list[Dropped] = Field(default_factory=list)
    uncertain: list[str] = Field(default_factory=list)  # kept with no yes from rules or LLM
    counts: dict[str, int] = Field(default_factory=dict)


# ---- rules -----------------------------------------------------------------------------


def _body(article: Article) -> str:
    return strip_boilerplate(article.text)[:1500]


@functools.lru_cache(maxsize=8192)
def _rules(title: str, text: str) -> tuple[float, frozenset[str], float]:
    """Rule score (title hits count double), AI terms found, off-topic weight found."""
    score, ai_terms, off = 0.0, set(), 0.0
    lowered = f"{title}\n{text}".lower()
    for terms, sign in ((_AI_RES, 1.0), (_OFF_RES, -1.0)):
        for term, pattern, weight, needle in terms:
            if needle not in lowered and needle not in title and needle not in text:
                continue  # most terms are absent: skip their two regex searches
            in_title = pattern.search(title) is not None
            if not in_title and pattern.search(text) is None:
                continue
            score += sign * weight * (2 if in_title else 1)
            if sign > 0:
                ai_terms.add(term.lower())
            else:
                off += weight
    return score, frozenset(ai_terms), off


def relevance_score(article: Article) -> float:
    """Raw rule score: weighted AI terms minus off-topic terms; title hits count double."""
    return _rules(article.title, _body(article))[0]


def relevance(article: Article) -> float:
    """How surely the rules take the article for AI news, 0..1 (for ranking)."""
    return 1.0 / (1.0 + math.exp(-(relevance_score(article) - 3.0) / 1.5))


def rule_decision(article: Article) -> Decision:
    """``ai`` when the rules are sure it is AI news, ``off`` when sure it is not, else unsure."""
    score, ai_terms, off = _rules(article.title, _body(article))
    if not ai_terms:
        return "off" if off >= REJECT_OFF_SCORE else "unsure"
    if len(ai_terms) >= 2 and not off and score >= ACCEPT_SCORE:
        return "ai"
    return "unsure"


def to_judge(articles: Sequence[Article]) -> list[Article]:
    """The articles to send to the LLM: those the rules do not accept alone."""
    return [a for a in articles if rule_decision(a) != "ai"]


# ---- deciding --------------------------------------------------------------------------


def decide(articles: Sequence[Article], judged: Mapping[str, Judgement] | None) -> Relevance:
    """Keep or drop each article; ``judged`` is None without an LLM (then the rules decide)."""
    out = Relevance(kept=[])
    counts = dict.fromkeys(OUTCOMES, 0)
    for art in articles:
        outcome = _outcome(art, judged.get(art.id) if judged is not None else None)
        counts[outcome] += 1
        if outcome in ("llm_off", "rules_off", "llm_not_news"):
            by = outcome.split("_")[0]
            reason = "not-news" if outcome == "llm_not_news" else "off-topic"
            out.dropped.append(Dropped(url=art.url, reason=reason, title=art.title, by=by))
            continue
        out.kept.append(art)
        if outcome == "llm_off_kept" or (outcome == "undecided" and relevance(art) < AI_THRESHOLD):
            out.uncertain.append(art.id)
    out.counts = counts
    return out


def _outcome(article: Article, verdict: Judgement | None) -> str:
    """Who decides for one article, and what (one of OUTCOMES)."""
    rule = rule_decision(article)
    if rule == "ai":
        return "rules_ai"
    if verdict is None:
        return "rules_off" if rule == "off" else "undecided"
    if verdict.ai:
        return "llm_ai"
    # the rules lean to AI news: a "no" alone does not lose the story (kept, 更多动态 only);
    # that holds for "not news" too: the local model said so of 11 AI news items of 15
    if relevance_score(article) >= LEAN_SCORE:
        return "llm_off_kept"
    return "llm_off" if verdict.news else "llm_not_news"


def names_of(judged: Mapping[str, Judgement] | None) -> dict[str, list[str]]:
    """The LLM's canonical names by article id (empty without an LLM)."""
    return {k: v.names for k, v in (judged or {}).items() if v.names}


# ---- the LLM judge ---------------------------------------------------------------------


def first_sentence(article: Article) -> str:
    """The first sentence of the cleaned text, clipped; empty when it only repeats the title."""
    sentences = [s for s in SENTENCE_RE.findall(strip_boilerplate(article.text)) if s.strip()]
    lead = sentences[0].strip() if sentences else ""
    return "" if lead == article.title.strip() else lead[:LEAD_CHARS]


def _escape(text: str) -> str:
    """Data never closes its delimiter or opens a new one."""
    return " ".join(text.replace("<", "‹").replace(">", "›").split())


def brief(article: Article) -> dict[str, str]:
    """An article as the judges show it to the LLM: title and first sentence, escaped."""
    return {
        "title": _escape(article.title[:TITLE_CHARS]),
        "lead": _escape(first_sentence(article)),
    }


class RelevanceJudge:
    """Asks the LLM whether articles are AI news: five a call, `[llm] concurrency` calls at once."""

    def __init__(
        self, llm: LLMSettings, *, cache: Cache | None = None, prompts: Prompts | None = None
    ) -> None:
        self.prompts = prompts or Prompts(PROMPTS_DIR)
        self.cache = cache
        self.client = LLMClient(llm, prompts=self.prompts, cache=cache)
        self.remembered = 0  # articles answered from the per-article cache, no call

    @property
    def stats(self) -> LLMStats:
        """Counters of the calls made (or answered from cache)."""
        return self.client.stats

    async def judge(self, articles: Sequence[Article]) -> dict[str, Judgement]:
        """Judgements for the articles the LLM answered; a failed batch is logged and left out."""
        found = {a.id: j for a in articles if (j := self._memo_get(a)) is not None}
        self.remembered += len(found)
        # the same title and first sentence (an outlet's daily ad, a feed listed twice) is
        # asked about once, and every copy gets that one answer
        copies: dict[str, list[Article]] = {}
        for art in articles:
            if art.id not in found:
                copies.setdefault(self._memo_key(art), []).append(art)
        todo = [same[0] for same in copies.values()]
        batches = [todo[start : start + BATCH] for start in range(0, len(todo), BATCH)]
        gate = asyncio.Semaphore(self.client.llm.concurrency)

        async def one(batch: Sequence[Article]) -> dict[str, Judgement]:
            async with gate:  # as many calls at once as the writers make, no more
                return await self._batch(batch)

        async with self.client.session():
            for answers in await asyncio.gather(*(one(b) for b in batches)):
                found.update(answers)
        for first, *rest in copies.values():
            if first.id in found:
                found.update((art.id, found[first.id]) for art in rest)
        return found

    async def _batch(self, batch: Sequence[Article]) -> dict[str, Judgement]:
        items = [{"id": f"r{n + 1}", **brief(a)} for n, a in enumerate(batch)]
        try:
            out = (await self.client.ask("relevance", JudgeOut, {"items": items}, tag="item")).value
        except LLMError as exc:
            log.warning("relevance call failed, %d articles stay undecided: %s", len(batch), exc)
            return {}
        return self._collect(batch, out)

    def _collect(self, batch: Sequence[Article], out: JudgeOut) -> dict[str, Judgement]:
        by_ref = {f"r{n + 1}": a for n, a in enumerate(batch)}
        found: dict[str, Judgement] = {}
        for item in out.items:
            art = by_ref.get(item.id.strip())
            if art is None or art.id in found:
                continue
            found[art.id] = Judgement(ai=item.ai, news=item.news)
            self._memo_put(art, found[art.id])
        return found

    def _memo_key(self, article: Article) -> str:
        material = [self.client.model, self.client.base_url, self.prompts.version("relevance")]
        return "relevance-item:v2:" + sha256_text(
            json.dumps([*material, article.title, first_sentence(article)], ensure_ascii=False)
        )

    def _memo_get(self, article: Article) -> Judgement | None:
        raw = self.cache.cache_get(self._memo_key(article)) if self.cache is not None else None
        return Judgement.model_validate_json(raw) if raw else None

    def _memo_put(self, article: Article, judgement: Judgement) -> None:
        if self.cache is not None:
            self.cache.cache_put(self._memo_key(article), judgement.model_dump_json())

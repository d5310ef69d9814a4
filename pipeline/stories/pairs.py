"""Stories stage, the LLM's word on pairs the features cannot decide: same event or not?

Clustering links two reports by shared words, names and numbers. Two reports of one
event with different vocabulary ("Claude 订阅封杀 OpenClaw" and "Anthropic 正式封杀
OpenClaw") share one rare name and little else, which is also what two different events
of one company share. :func:`pipeline.stories.cluster.undecided_pairs` picks such pairs
(same day, a rare name in common, not linked); :class:`PairJudge` asks the LLM about them,
four a call plus one control pair that is certainly two events, each answer cached per
pair; ``cluster_articles`` then links a "same" pair and keeps a "different" one apart.

A call whose answer takes its control for one event is not trusted: small models answer
"same" to every pair (measured: Qwen2.5-Coder-1.5B did so for 52 of 52), and trusting them
would merge every candidate. Without an LLM, or with one that fails the control, the
features decide as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from pipeline.config import LLMSettings
from pipeline.errors import LLMError
from pipeline.llm.client import Cache, LLMClient
from pipeline.llm.prompts import PROMPTS_DIR, Prompts
from pipeline.models import Article, LLMStats
from pipeline.store.files import sha256_text
from pipeline.stories.relevance import TITLE_CHARS, _escape, _lead

log = logging.getLogger(__name__)

BATCH = 4  # undecided pairs per call, plus one control pair
Pair = tuple[Article, Article]


class PairVerdict(BaseModel):
    """One pair of the LLM's answer."""

    model_config = ConfigDict(extra="ignore")

    id: str
    event: str = ""  # what the first report is about, in a few words (written first)
    same: bool


class PairsOut(BaseModel):
    """The LLM's answer for one batch of pairs."""

    model_config = ConfigDict(extra="ignore")

    pairs: list[PairVerdict]


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The order-free key of a pair of article ids."""
    return (a, b) if a <= b else (b, a)


class PairJudge:
    """Asks the LLM whether pairs of reports are one event: five a call, cached per pair."""

    def __init__(
        self, llm: LLMSettings, *, cache: Cache | None = None, prompts: Prompts | None = None
    ) -> None:
        self.prompts = prompts or Prompts(PROMPTS_DIR)
        self.cache = cache
        self.client = LLMClient(llm, prompts=self.prompts, cache=cache)
        self.distrusted = 0  # calls whose answer failed its control pair

    @property
    def stats(self) -> LLMStats:
        """Counters of the calls made (or answered from cache)."""
        return self.client.stats

    async def judge(
        self, pairs: Sequence[Pair], controls: Sequence[Pair]
    ) -> dict[tuple[str, str], bool]:
        """Verdicts by :func:`pair_key` for the pairs answered in a call that passed its
        control; nothing without a control pair (then the features decide)."""
        found: dict[tuple[str, str], bool] = {}
        todo: list[Pair] = []
        for a, b in pairs:
            known = self._memo_get(a, b)
            if known is None:
                todo.append((a, b))
            else:
                found[pair_key(a.id, b.id)] = known
        if not controls:
            return found
        batches = [todo[start : start + BATCH] for start in range(0, len(todo), BATCH)]
        gate = asyncio.Semaphore(self.client.llm.concurrency)

        async def one(n: int, batch: Sequence[Pair]) -> dict[tuple[str, str], bool]:
            async with gate:
                return await self._batch(batch, controls[n % len(controls)])

        async with self.client.session():
            for answers in await asyncio.gather(*(one(n, b) for n, b in enumerate(batches))):
                found.update(answers)
        return found

    async def _batch(self, batch: Sequence[Pair], control: Pair) -> dict[tuple[str, str], bool]:
        slot = int(sha256_text("|".join(a.id + b.id for a, b in batch))[:8], 16) % (len(batch) + 1)
        asked = [*batch[:slot], control, *batch[slot:]]  # the control at no fixed place
        items = [
            {"id": f"p{n + 1}", "a": _side(a), "b": _side(b)} for n, (a, b) in enumerate(asked)
        ]
        try:
            out = (
                await self.client.ask("same_event", PairsOut, {"pairs": items}, tag="pair")
            ).value
        except LLMError as exc:
            log.warning(
                "same-event call failed, %d pairs left to the features: %s", len(batch), exc
            )
            return {}
        answers: dict[str, bool] = {}
        for verdict in out.pairs:
            answers.setdefault(verdict.id.strip(), verdict.same)
        if answers.get(f"p{slot + 1}", True):
            self.distrusted += 1
            log.warning(
                "same-event answer distrusted (its control pair called one event, or not "
                "answered); %d pairs left to the features",
                len(batch),
            )
            return {}
        found: dict[tuple[str, str], bool] = {}
        for n, pair in enumerate(asked):
            if n == slot or f"p{n + 1}" not in answers:
                continue
            found[pair_key(pair[0].id, pair[1].id)] = answers[f"p{n + 1}"]
            self._memo_put(*pair, answers[f"p{n + 1}"])
        return found

    def _memo_key(self, a: Article, b: Article) -> str:
        material = [self.client.model, self.client.base_url, self.prompts.version("same_event")]
        sides = sorted([[a.title, _lead(a)], [b.title, _lead(b)]])
        return "same-event:" + sha256_text(json.dumps([*material, *sides], ensure_ascii=False))

    def _memo_get(self, a: Article, b: Article) -> bool | None:
        raw = self.cache.cache_get(self._memo_key(a, b)) if self.cache is not None else None
        return None if raw is None else raw == "1"

    def _memo_put(self, a: Article, b: Article, same: bool) -> None:
        if self.cache is not None:
            self.cache.cache_put(self._memo_key(a, b), "1" if same else "0")


def _side(article: Article) -> dict[str, str]:
    return {"title": _escape(article.title[:TITLE_CHARS]), "lead": _escape(_lead(article))}

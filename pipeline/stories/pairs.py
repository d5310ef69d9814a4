"""Stories stage, the LLM's word on pairs the features cannot decide: same event or not?

Clustering links two reports by shared words, names and numbers. Two reports of one
event with different vocabulary ("Claude 订阅封杀 OpenClaw" and "Anthropic 正式封杀
OpenClaw") share one rare name and little else, which is also what two different events
of one company share. :func:`pipeline.stories.cluster.undecided_pairs` picks such pairs
(same day, a rare name in common, not linked); :class:`PairJudge` asks the LLM about them,
three a call beside two control pairs, each answer cached per pair; ``cluster_articles``
then links a "same" pair and keeps a "different" one apart.

Every call carries two control pairs whose answer is known, one certainly two events and
one certainly one, at places that vary; a call that gets either wrong is not trusted.
Small models answer "same" to every pair (measured: Qwen2.5-Coder-1.5B did so for 52 of
52), or nearly at random, and trusting them would merge unrelated stories. Without an
LLM, or with one that fails its controls, the features decide as before.
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
from pipeline.stories.cluster import CHECK_BATCH, Control, Pair
from pipeline.stories.relevance import brief, first_sentence

log = logging.getLogger(__name__)


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
    """Asks the LLM whether pairs of reports are one event: three a call beside two
    controls, `[llm] concurrency` calls at once, each answer cached per pair."""

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
        self, pairs: Sequence[Pair], controls: Sequence[Control]
    ) -> dict[tuple[str, str], bool]:
        """Verdicts by :func:`pair_key` for the pairs answered in a call that got both its
        controls right; nothing without a control of each kind (the features decide)."""
        found: dict[tuple[str, str], bool] = {}
        todo: list[Pair] = []
        for a, b in pairs:
            known = self._memo_get(a, b)
            if known is None:
                todo.append((a, b))
            else:
                found[pair_key(a.id, b.id)] = known
        apart = [c for c in controls if not c[2]]
        together = [c for c in controls if c[2]]
        if not apart or not together:
            return found
        batches = [todo[start : start + CHECK_BATCH] for start in range(0, len(todo), CHECK_BATCH)]
        gate = asyncio.Semaphore(self.client.llm.concurrency)

        async def one(n: int, batch: Sequence[Pair]) -> dict[tuple[str, str], bool]:
            checks = [apart[n % len(apart)], together[n % len(together)]]
            async with gate:
                return await self._batch(batch, checks)

        async with self.client.session():
            for answers in await asyncio.gather(*(one(n, b) for n, b in enumerate(batches))):
                found.update(answers)
        return found

    async def _batch(
        self, batch: Sequence[Pair], checks: Sequence[Control]
    ) -> dict[tuple[str, str], bool]:
        asked: list[tuple[Article, Article, bool | None]] = [(a, b, None) for a, b in batch]
        for control in checks:  # the controls at no fixed place
            seed = sha256_text("|".join(a.id + b.id for a, b, _ in asked) + control[0].id)
            slot = int(seed[:8], 16) % (len(asked) + 1)
            asked.insert(slot, control)
        items = [
            {"id": f"p{n + 1}", "a": brief(a), "b": brief(b)} for n, (a, b, _) in enumerate(asked)
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
        wrong = [
            n
            for n, (_, _, expected) in enumerate(asked)
            if expected is not None and answers.get(f"p{n + 1}") is not expected
        ]
        if wrong:
            self.distrusted += 1
            log.warning(
                "same-event answer distrusted (a control pair answered wrongly or not at "
                "all); %d pairs left to the features",
                len(batch),
            )
            return {}
        found: dict[tuple[str, str], bool] = {}
        for n, (a, b, expected) in enumerate(asked):
            if expected is None and f"p{n + 1}" in answers:
                found[pair_key(a.id, b.id)] = answers[f"p{n + 1}"]
                self._memo_put(a, b, answers[f"p{n + 1}"])
        return found

    def _memo_key(self, a: Article, b: Article) -> str:
        material = [self.client.model, self.client.base_url, self.prompts.version("same_event")]
        sides = sorted([[a.title, first_sentence(a)], [b.title, first_sentence(b)]])
        return "same-event:" + sha256_text(json.dumps([*material, *sides], ensure_ascii=False))

    def _memo_get(self, a: Article, b: Article) -> bool | None:
        raw = self.cache.cache_get(self._memo_key(a, b)) if self.cache is not None else None
        return None if raw is None else raw == "1"

    def _memo_put(self, a: Article, b: Article, same: bool) -> None:
        if self.cache is not None:
            self.cache.cache_put(self._memo_key(a, b), "1" if same else "0")

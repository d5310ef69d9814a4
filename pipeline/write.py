"""The write stage: stories → StoryDraft, digest title/summary/section titles, 更多动态 lines.

Prompts are Jinja2 templates in ``prompts/``; article text travels as data inside
delimiters carrying a per-call random token. Each story's input is trimmed to a
token budget (:mod:`pipeline.excerpt`). A story the LLM cannot write gets an extractive
draft marked 【待编辑】 (:mod:`pipeline.fallback`) and a Failure, and the run goes on;
``no_llm`` writes the whole draft that way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from datetime import date as Date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline import progress
from pipeline.answers import (
    ChineseText,
    DigestOut,
    FactOut,
    MoreOut,
    StoryOut,
    require_chinese,
)
from pipeline.config import LLMSettings, Section
from pipeline.errors import LLMError
from pipeline.excerpt import (
    digest_input,
    escape_data,
    estimate_tokens,
    join_sentences,
    market_relevant,
    split_sentences,
    story_input,
)
from pipeline.fallback import extractive_draft, extractive_more, fallback_meta, guess_category
from pipeline.llm import Cache, LLMClient, StructuredRequest
from pipeline.models import (
    Article,
    DigestMeta,
    Fact,
    Failure,
    Impact,
    LLMStats,
    MoreItem,
    Story,
    StoryDraft,
)
from pipeline.polish import Polisher
from pipeline.prompting import PROMPTS_DIR, Prompts
from pipeline.repair import similar
from pipeline.structured import strict_schema

logger = logging.getLogger(__name__)

MORE_CATEGORIES = ("大模型发布与开源", "具身智能与机器人", "AI 应用与商业化", "行业动态")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
RELEVANCE_BATCH = 50
# Output room each call needs (tokens): a story is a few hundred Chinese characters; the
# digest call grows with its 更多动态 lines and sections. A cut-off answer is completed
# from what it wrote (pipeline.structured), so these are generous, not exact.
STORY_OUTPUT_TOKENS = 1400
DIGEST_OUTPUT_BASE, DIGEST_OUTPUT_PER_MORE, DIGEST_OUTPUT_PER_SECTION = 700, 70, 40
__all__ = ["ChineseText", "DigestOut", "FactOut", "MoreOut", "StoryOut", "require_chinese"]


# ---------------------------------------------------------------- output schemas
# StoryOut, DigestOut and their parts live in pipeline.answers (soft limits, salvage).


class VerdictOut(BaseModel):
    id: str
    relevant: bool


class RelevanceOut(BaseModel):
    """The model's yes/no verdicts for a batch of uncertain articles."""

    model_config = ConfigDict(extra="ignore")

    items: list[VerdictOut]


# Output schema of each prompt kind (for sizing the system prompt).
SCHEMAS: dict[str, type[BaseModel]] = {
    "story": StoryOut,
    "digest": DigestOut,
    "relevance": RelevanceOut,
}
# The least article text a story is sent, however long the system prompt grows.
MIN_STORY_BUDGET = 600


class WriteResult(BaseModel):
    """Everything the write stage produced for a run."""

    drafts: dict[str, StoryDraft]
    meta: DigestMeta
    more: list[MoreItem] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    stats: LLMStats = Field(default_factory=LLMStats)


# ---------------------------------------------------------------- conversion


def _ids(aliases: Sequence[str], known: dict[str, str]) -> list[str]:
    return [known[a] for a in dict.fromkeys(aliases) if a in known]


def to_draft(
    story: Story, out: StoryOut, *, market: bool | None = None, repairs: Sequence[str] = ()
) -> StoryDraft:
    """Convert the model's answer, checked against its input: real article ids, a link among
    the sources, labels that fit their facts, 影响 only for a market story, nothing said twice."""
    market = market_relevant(story) if market is None else market
    known = {f"a{n + 1}": a.id for n, a in enumerate(story.articles)}
    polish = Polisher(story)
    lead = polish.chinese(out.lead, "lead")
    chinese = [out.facts[n] for n in polish.chinese_facts([f.text for f in out.facts])]
    texts = [f.text for f in chinese]
    kept = [chinese[n] for n in polish.unique(texts, "fact", said=[lead])]
    facts = [
        Fact(
            label=polish.label(f.label.strip(), f.text.strip()),
            text=f.text.strip(),
            sources=_ids(f.sources, known),
        )
        for f in kept
    ]
    impact = [
        Impact(label=f.label.strip(), text=f.text.strip(), sources=_ids(f.sources, known))
        for f in (out.impact if polish.impact(len(out.impact), market) else [])
    ]
    analysis = polish.analysis(out.analysis, [lead, *(f.text for f in facts)])
    return StoryDraft(
        story_id=story.id,
        headline=out.headline,
        lead=lead,
        facts=facts,
        url=_link(story, out.url, polish.repairs),
        impact=impact,
        analysis=analysis,
        repairs=[*repairs, *polish.repairs],
    )


def _link(story: Story, url: str, repairs: list[str]) -> str:
    """The story's link: the model's choice if it is one of the sources, else the primary."""
    if url in {a.url for a in story.articles}:
        return url
    if url:
        repairs.append("url is not one of the sources: the primary article's link is used")
    return story.primary.url


def to_meta(
    out: DigestOut,
    sections: Sequence[Section],
    drafts: Sequence[StoryDraft] = (),
    *,
    date: Date,
    asked: Collection[str] = (),
) -> tuple[DigestMeta, list[str]]:
    """Convert the digest answer part by part: a part that is missing or was unusable gets its
    fallback (listed in the second value); unknown section keys are ignored."""
    fallback, degraded = fallback_meta(drafts, sections, date=date), []
    title = _without_section_name(out.title.strip(), sections)
    if not title:
        title = fallback.title
        degraded.append("title")
    summary = _summary(out.summary)
    if not summary:
        summary = fallback.summary
        degraded.append("summary")
    given = {s.key: s.title.strip() for s in out.section_titles}
    degraded += [f"section title {key}" for key in asked if not given.get(key)]
    titles = {s.key: given.get(s.key) or s.title for s in sections}
    return DigestMeta(title=title, summary=summary, section_titles=titles), degraded


def _without_section_name(title: str, sections: Sequence[Section]) -> str:
    """The digest title without a section's name in front (a small model copies it there)."""
    for section in sections:
        head, sep, rest = title.partition("：")
        if sep and head.strip() == section.title and rest.strip():
            return rest.strip()
    return title


def _summary(lines: Sequence[str]) -> list[str]:
    """Summary bullets without list marks or repeats (as the model ordered them)."""
    kept: list[str] = []
    for line in lines:
        line = line.strip().lstrip("-•·* ").strip()
        if line and not any(similar(line, k) for k in kept):
            kept.append(line)
    return kept


def to_more(stories: Sequence[Story], out: DigestOut) -> tuple[list[MoreItem], list[str]]:
    """更多动态 lines in story order; a story the model skipped (or wrote unusably) gets an
    extractive line, named in the second value."""
    answers = {m.id: m for m in out.more}
    items, degraded = [], []
    for n, story in enumerate(stories):
        line = answers.get(f"m{n + 1}")
        if line is None:
            items.append(extractive_more(story))
            degraded.append(f"更多动态 m{n + 1}")
            continue
        title, text = line.title.strip(), line.text.strip()
        category = line.category
        if category not in MORE_CATEGORIES:
            category = guess_category(title + text)
        items.append(
            MoreItem(
                story_id=story.id, title=title, url=story.primary.url, text=text, category=category
            )
        )
    return items, degraded


# ---------------------------------------------------------------- the writer


class Writer:
    """The LLM seam: writes stories and digest text, judges relevance; no tools."""

    def __init__(
        self,
        llm: LLMSettings,
        *,
        cache: Cache | None = None,
        no_llm: bool = False,
        prompts: Prompts | None = None,
    ) -> None:
        self.llm = llm
        self.no_llm = no_llm
        self.prompts = prompts or Prompts(PROMPTS_DIR)
        self.client = None if no_llm else LLMClient(llm, prompts=self.prompts, cache=cache)
        self._system_sizes: dict[str, int] = {}

    @property
    def stats(self) -> LLMStats:
        """Counters of every call made (or answered from cache) so far."""
        return self.client.stats if self.client else LLMStats()

    def _client(self) -> LLMClient:
        if self.client is None:
            raise LLMError("the writer runs with no_llm: no LLM calls")
        return self.client

    def _request(
        self,
        kind: str,
        schema: type[Any],
        payload: dict[str, Any],
        tag: str,
        max_tokens: int | None = None,
    ) -> StructuredRequest[Any]:
        client = self._client()
        user = self.prompts.render(f"{kind}.user.j2", token=secrets.token_hex(5), **payload)
        return StructuredRequest(
            kind=kind,
            user=user,
            schema=schema,
            system_vars={"tag": tag, "categories": MORE_CATEGORIES},
            cache_key=client.key_for(kind, schema, payload),
            max_tokens=max_tokens,
        )

    def _system_tokens(self, kind: str) -> int:
        """Tokens of a kind's system prompt in its longest form (schema and example inline)."""
        if kind not in self._system_sizes:
            text = self.prompts.render(
                f"{kind}.system.j2",
                mode="json_object",
                example=self.prompts.example(kind),
                schema=json.dumps(strict_schema(SCHEMAS[kind]), ensure_ascii=False),
                tag="article",
                categories=MORE_CATEGORIES,
            )
            self._system_sizes[kind] = estimate_tokens(text)
        return self._system_sizes[kind]

    async def write_story(self, story: Story) -> StoryDraft:
        """Write one main story; raise LLMError when the endpoint cannot."""
        budget = max(MIN_STORY_BUDGET, self.llm.story_input_tokens - self._system_tokens("story"))
        payload = story_input(story, budget, self.prompts)
        request = self._request("story", StoryOut, payload, "article", STORY_OUTPUT_TOKENS)
        answer = await self._client().answer(request)
        draft = to_draft(story, answer.value, market=payload["market"], repairs=answer.repairs)
        self.stats.repairs += len(draft.repairs) - len(answer.repairs)
        return draft

    async def write_meta(
        self,
        main: Sequence[Story],
        drafts: Mapping[str, StoryDraft],
        more: Sequence[Story],
        sections: Sequence[Section],
        *,
        date: Date,
    ) -> tuple[DigestMeta, list[MoreItem], list[str]]:
        """Title, summary, section titles and 更多动态 lines, in one call; the third value
        names the parts that were left to their fallback."""
        payload = digest_input(main, drafts, more, sections, date=date)
        room = DIGEST_OUTPUT_BASE + DIGEST_OUTPUT_PER_MORE * len(payload["more"])
        room += DIGEST_OUTPUT_PER_SECTION * len(payload["sections"])
        request = self._request("digest", DigestOut, payload, "story", room)
        out: DigestOut = await self._client().complete(request)
        written = [drafts[s.id] for s in main if s.id in drafts]
        asked = [sec["key"] for sec in payload["sections"]]
        meta, degraded = to_meta(out, sections, written, date=date, asked=asked)
        items, missing = to_more(more, out)
        return meta, items, degraded + missing

    async def judge_relevance(self, articles: Sequence[Article]) -> dict[str, bool]:
        """AI-news yes/no for uncertain articles (titles and leads); True when unsure or failed."""
        verdicts = {a.id: True for a in articles}
        if self.no_llm or not articles:
            return verdicts
        async with self._client().session():
            for start in range(0, len(articles), RELEVANCE_BATCH):
                batch = articles[start : start + RELEVANCE_BATCH]
                verdicts.update(await self._judge_batch(batch))
        return verdicts

    async def _judge_batch(self, batch: Sequence[Article]) -> dict[str, bool]:
        items = [
            {
                "id": f"r{n + 1}",
                "title": escape_data(a.title),
                "lead": escape_data(join_sentences(split_sentences(a.text)[:2])[:200]),
            }
            for n, a in enumerate(batch)
        ]
        try:
            out = await self._client().complete(
                self._request("relevance", RelevanceOut, {"items": items}, "item")
            )
        except LLMError as exc:
            logger.warning("relevance call failed, keeping %d articles: %s", len(batch), exc)
            return {}
        ids = {f"r{n + 1}": a.id for n, a in enumerate(batch)}
        return {ids[v.id]: v.relevant for v in out.items if v.id in ids}

    async def write_digest(
        self, stories: Sequence[Story], sections: Sequence[Section], *, date: Date
    ) -> WriteResult:
        """Write the whole draft; failures degrade to extractive text and are reported."""
        main = [s for s in stories if s.placement == "main"]
        more = [s for s in stories if s.placement == "more"]
        if self.client is None:
            drafts = {s.id: extractive_draft(s) for s in main}
            meta = fallback_meta(list(drafts.values()), sections, date=date)
            stats = LLMStats(degraded_stories=len(drafts))
            return WriteResult(
                drafts=drafts, meta=meta, more=[extractive_more(s) for s in more], stats=stats
            )
        async with self.client.session():
            drafts, failures = await self._write_stories(main)
            meta, more_items = await self._write_meta_safe(
                main, drafts, more, sections, date, failures
            )
        stats = self.client.stats.model_copy()
        stats.degraded_stories = sum(d.degraded for d in drafts.values())
        return WriteResult(
            drafts=drafts, meta=meta, more=more_items, failures=failures, stats=stats
        )

    async def _write_stories(
        self, main: Sequence[Story]
    ) -> tuple[dict[str, StoryDraft], list[Failure]]:
        gate = asyncio.Semaphore(self.llm.concurrency)
        failures: list[Failure] = []

        async def one(story: Story) -> StoryDraft:
            async with gate:
                try:
                    return await self.write_story(story)
                except LLMError as exc:
                    logger.warning("story %s degraded: %s", story.id, exc)
                    failures.append(Failure(url=story.primary.url, stage="write", error=str(exc)))
                    return extractive_draft(story)
                except Exception as exc:  # a bug on one story's path must not lose the draft
                    logger.exception("story %s degraded by an unexpected error", story.id)
                    error = f"unexpected error: {exc!r}"
                    failures.append(Failure(url=story.primary.url, stage="write", error=error))
                    return extractive_draft(story)
                finally:
                    progress.advance("stories")

        with progress.stage("stories", len(main)):
            drafts = await asyncio.gather(*(one(s) for s in main))
        return {d.story_id: d for d in drafts}, failures

    async def _write_meta_safe(
        self,
        main: Sequence[Story],
        drafts: dict[str, StoryDraft],
        more: Sequence[Story],
        sections: Sequence[Section],
        date: Date,
        failures: list[Failure],
    ) -> tuple[DigestMeta, list[MoreItem]]:
        if not drafts and not more:
            return fallback_meta([], sections, date=date), []
        try:
            meta, items, degraded = await self.write_meta(main, drafts, more, sections, date=date)
        except Exception as exc:  # LLMError, or a bug: either way the draft is still written
            if isinstance(exc, LLMError):
                logger.warning("digest text degraded: %s", exc)
            else:
                logger.exception("digest text degraded by an unexpected error")
            error = str(exc) if isinstance(exc, LLMError) else f"unexpected error: {exc!r}"
            failures.append(Failure(url=f"digest:{date.isoformat()}", stage="write", error=error))
            meta = fallback_meta(list(drafts.values()), sections, date=date)
            return meta, [extractive_more(s) for s in more]
        self._report_parts(degraded, more, date, failures)
        return meta, items

    def _report_parts(
        self, degraded: Sequence[str], more: Sequence[Story], date: Date, failures: list[Failure]
    ) -> None:
        """Record the digest parts left to their fallback; the extractive ones are failures."""
        self.stats.degraded_parts += len(degraded)
        for part in degraded:
            logger.warning("digest part left to its fallback: %s", part)
            if part.startswith("更多动态 m"):
                story = more[int(part.removeprefix("更多动态 m")) - 1]
                error = "更多动态 line not written by the LLM: extractive line used"
                failures.append(Failure(url=story.primary.url, stage="write", error=error))
            elif part == "title":
                error = "digest title not usable: extractive title marked 【待编辑】 used"
                failures.append(
                    Failure(url=f"digest:{date.isoformat()}", stage="write", error=error)
                )


async def write_digest(
    stories: Sequence[Story], sections: Sequence[Section], *, date: Date, writer: Writer
) -> WriteResult:
    """The coarse unit the flow calls: every main story, the digest text, the 更多动态 lines."""
    return await writer.write_digest(stories, sections, date=date)

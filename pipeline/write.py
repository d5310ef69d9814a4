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
from collections.abc import Mapping, Sequence
from datetime import date as Date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pipeline import progress
from pipeline.config import LLMSettings, Section
from pipeline.errors import ConfigError, LLMError
from pipeline.excerpt import (
    digest_input,
    estimate_tokens,
    story_input,
)
from pipeline.fallback import extractive_draft, extractive_more, fallback_meta
from pipeline.llm import Cache, LLMClient, StructuredRequest
from pipeline.models import (
    DigestMeta,
    Fact,
    Failure,
    Impact,
    LLMStats,
    MoreItem,
    Story,
    StoryDraft,
)
from pipeline.prompting import PROMPTS_DIR, Prompts
from pipeline.structured import strict_schema

logger = logging.getLogger(__name__)

MORE_CATEGORIES = ("大模型发布与开源", "具身智能与机器人", "AI 应用与商业化", "行业动态")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------- output schemas


def require_chinese(value: str) -> str:
    """Reject text with no Chinese character (a headline left in English); strip it."""
    if not HAN_RE.search(value):
        raise ValueError("must be written in Chinese")
    return value.strip()


ChineseText = Annotated[str, AfterValidator(require_chinese)]


class FactOut(BaseModel):
    """A labelled fact or impact line as the model writes it."""

    model_config = ConfigDict(extra="ignore")

    label: str = Field(min_length=1, max_length=24)
    text: str = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)


class StoryOut(BaseModel):
    """The model's answer for one main story."""

    model_config = ConfigDict(extra="ignore")

    headline: ChineseText = Field(min_length=4, max_length=80)
    lead: str = Field(min_length=10)
    facts: list[FactOut] = Field(min_length=1, max_length=8)
    analysis: list[str] = Field(min_length=1, max_length=4)
    impact: list[FactOut] = Field(default_factory=list, max_length=4)
    url: str = ""


class SectionTitleOut(BaseModel):
    key: str
    title: str = Field(min_length=2, max_length=40)


class MoreOut(BaseModel):
    id: str
    title: str = Field(min_length=2, max_length=60)
    text: str = Field(min_length=2)
    category: str = ""


class DigestOut(BaseModel):
    """The model's answer for the digest-level text."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=4, max_length=80)
    summary: list[str] = Field(min_length=1, max_length=12)
    section_titles: list[SectionTitleOut] = Field(default_factory=list)
    more: list[MoreOut] = Field(default_factory=list)


# Output schema of each prompt kind (for sizing the system prompt).
SCHEMAS: dict[str, type[BaseModel]] = {
    "story": StoryOut,
    "digest": DigestOut,
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


def to_draft(story: Story, out: StoryOut) -> StoryDraft:
    """Convert the model's answer; cite real article ids, keep the link among the sources."""
    known = {f"a{n + 1}": a.id for n, a in enumerate(story.articles)}
    urls = {a.url for a in story.articles}
    facts = [
        Fact(label=f.label.strip(), text=f.text.strip(), sources=_ids(f.sources, known))
        for f in out.facts[:6]
    ]
    impact = [
        Impact(label=f.label.strip(), text=f.text.strip(), sources=_ids(f.sources, known))
        for f in out.impact[:3]
    ]
    return StoryDraft(
        story_id=story.id,
        headline=out.headline,
        lead=out.lead.strip(),
        facts=facts,
        url=out.url if out.url in urls else story.primary.url,
        impact=impact,
        analysis=[p.strip() for p in out.analysis if p.strip()][:3],
    )


def to_meta(out: DigestOut, sections: Sequence[Section]) -> DigestMeta:
    """Convert the digest answer; unknown section keys are ignored, missing ones get defaults."""
    given = {s.key: s.title.strip() for s in out.section_titles}
    titles = {s.key: given.get(s.key) or s.title for s in sections}
    # the publication's summary has at most 8 bullets (the seeds': 8), most important first
    summary = [line.strip().lstrip("-• ").strip() for line in out.summary if line.strip()][:8]
    return DigestMeta(title=out.title.strip(), summary=summary, section_titles=titles)


def to_more(stories: Sequence[Story], out: DigestOut) -> list[MoreItem]:
    """更多动态 lines in story order; a story the model skipped gets an extractive line."""
    answers = {m.id: m for m in out.more}
    items = []
    for n, story in enumerate(stories):
        line = answers.get(f"m{n + 1}")
        if line is None:
            items.append(extractive_more(story))
            continue
        category = line.category if line.category in MORE_CATEGORIES else "行业动态"
        items.append(
            MoreItem(
                story_id=story.id,
                title=line.title.strip(),
                url=story.primary.url,
                text=line.text.strip(),
                category=category,
            )
        )
    return items


# ---------------------------------------------------------------- the writer


class Writer:
    """The LLM seam: writes stories and digest text; no tools."""

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
        self, kind: str, schema: type[Any], payload: dict[str, Any], tag: str
    ) -> StructuredRequest[Any]:
        client = self._client()
        user = self.prompts.render(f"{kind}.user.j2", token=secrets.token_hex(5), **payload)
        return StructuredRequest(
            kind=kind,
            user=user,
            schema=schema,
            system_vars={"tag": tag, "categories": MORE_CATEGORIES},
            cache_key=client.key_for(kind, schema, payload),
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
        out = await self._client().complete(self._request("story", StoryOut, payload, "article"))
        return to_draft(story, out)

    async def write_meta(
        self,
        main: Sequence[Story],
        drafts: Mapping[str, StoryDraft],
        more: Sequence[Story],
        sections: Sequence[Section],
        *,
        date: Date,
    ) -> tuple[DigestMeta, list[MoreItem]]:
        """Title, summary, section titles and 更多动态 lines, in one call."""
        payload = digest_input(main, drafts, more, sections, date=date)
        out = await self._client().complete(self._request("digest", DigestOut, payload, "story"))
        return to_meta(out, sections), to_more(more, out)

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
                except ConfigError:
                    raise  # no API key for an answer not in the cache: the run must stop
                except LLMError as exc:
                    logger.warning(
                        "story %s degraded: %s", story.id, exc, extra=progress.failure("stories")
                    )
                    failures.append(Failure(url=story.primary.url, stage="write", error=str(exc)))
                    return extractive_draft(story)
                except Exception as exc:  # a bug on one story's path must not lose the draft
                    logger.exception(
                        "story %s degraded by an unexpected error",
                        story.id,
                        extra=progress.failure("stories"),
                    )
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
            return await self.write_meta(main, drafts, more, sections, date=date)
        except ConfigError:
            raise  # no API key for an answer not in the cache: the run must stop
        except Exception as exc:  # LLMError, or a bug: either way the draft is still written
            if isinstance(exc, LLMError):
                logger.warning("digest text degraded: %s", exc, extra=progress.failure("write"))
            else:
                logger.exception(
                    "digest text degraded by an unexpected error", extra=progress.failure("write")
                )
            error = str(exc) if isinstance(exc, LLMError) else f"unexpected error: {exc!r}"
            failures.append(Failure(url=f"digest:{date.isoformat()}", stage="write", error=error))
            meta = fallback_meta(list(drafts.values()), sections, date=date)
            return meta, [extractive_more(s) for s in more]


async def write_digest(
    stories: Sequence[Story], sections: Sequence[Section], *, date: Date, writer: Writer
) -> WriteResult:
    """The coarse unit the flow calls: every main story, the digest text, the 更多动态 lines."""
    return await writer.write_digest(stories, sections, date=date)

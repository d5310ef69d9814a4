"""The write stage of the weekly and brief formats: output schemas, payloads, the writer.

The weekly is one LLM call over the week's ranked stories (``prompts/weekly.*``); the
brief is one call per story (``prompts/brief.*``), like the daily's stories. The writer
returns the model's answers as they are; turning them into template input (links from
story ids, grounding, extractive fallbacks) is :mod:`pipeline.formats.weekly`'s work. A call
that fails is recorded as a Failure and its part is left to the extractive fallback.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from pipeline import progress
from pipeline.errors import LLMError
from pipeline.llm.client import StructuredRequest
from pipeline.llm.structured import BlankIfInvalid, KeepValid, Soft
from pipeline.models import Failure, LLMStats, Story
from pipeline.write.answers import ChineseText, Paragraph, Text, move_overflow
from pipeline.write.daily import Writer
from pipeline.write.excerpt import clip, escape_data, select_text, story_input

logger = logging.getLogger(__name__)

BRIEF_CATEGORIES = (
    "政策与监管",
    "模型与技术进展",
    "投融资与并购",
    "产品与应用发布",
    "行业落地与生态",
)
WEEKLY_STORY_TOKENS = 260  # excerpt budget of one main story in the weekly call
WEEKLY_MORE_TOKENS = 60  # excerpt budget of one 其他重要资讯 candidate
BRIEF_OUTPUT_TOKENS = 700  # a brief item is about 300 Chinese characters
# soft limits in 字 (pipeline.llm.repair.width), after the published weekly and brief
HIGHLIGHT_WIDTH, HIGHLIGHT_TEXT_WIDTH = 36, 80
TOPIC_WIDTH, BULLET_WIDTH = 30, 90
GROUP_LABEL_WIDTH, GROUP_TEXT_WIDTH = 10, 160
READING_WIDTH, INTRO_WIDTH = 30, 240
BRIEF_TITLE_WIDTH, BRIEF_TEXT_WIDTH, BRIEF_POINT_WIDTH = 40, 100, 50


# ---------------------------------------------------------------- output schemas


class HighlightOut(BaseModel):
    """One Highlights bullet: a bold lead and the rest of the sentence."""

    model_config = ConfigDict(extra="ignore")

    title: ChineseText = Field(min_length=4)
    text: Annotated[Text, Soft(width=HIGHLIGHT_TEXT_WIDTH)] = ""
    stories: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _title_is_short(cls, data: Any, info: ValidationInfo) -> Any:
        return move_overflow(data, info, "title", "text", HIGHLIGHT_WIDTH)


class TopicOut(BaseModel):
    """One ``###`` topic of Detailed Coverage and the stories it draws on."""

    model_config = ConfigDict(extra="ignore")

    title: Annotated[ChineseText, Soft(width=TOPIC_WIDTH)] = Field(min_length=4)
    paragraphs: Annotated[list[Paragraph], Soft(items=2)] = Field(min_length=1)
    bullets: Annotated[list[Annotated[Text, Soft(width=BULLET_WIDTH)]], Soft(items=6)] = Field(
        default_factory=list
    )
    stories: list[str] = Field(default_factory=list)


class NewsGroupOut(BaseModel):
    """One bold group of 其他重要资讯."""

    model_config = ConfigDict(extra="ignore")

    label: Text = Field(min_length=2)
    text: Annotated[Text, Soft(width=GROUP_TEXT_WIDTH)] = Field(min_length=4)
    stories: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _label_is_short(cls, data: Any, info: ValidationInfo) -> Any:
        return move_overflow(data, info, "label", "text", GROUP_LABEL_WIDTH, label=True)


class ReadingOut(BaseModel):
    """A 相关阅读链接 entry: which story, under what title."""

    id: str
    title: Annotated[Text, Soft(width=READING_WIDTH)] = Field(min_length=2)


class WeeklyOut(BaseModel):
    """The model's answer for the whole weekly; each part degrades on its own."""

    model_config = ConfigDict(extra="ignore")

    intro: Annotated[Text, Soft(width=INTRO_WIDTH), BlankIfInvalid()] = Field(
        default="", min_length=20
    )
    highlights: Annotated[list[HighlightOut], Soft(items=10), KeepValid()] = Field(
        default_factory=list
    )
    topics: Annotated[list[TopicOut], Soft(items=8), KeepValid()] = Field(default_factory=list)
    other_news: Annotated[list[NewsGroupOut], Soft(items=4), KeepValid()] = Field(
        default_factory=list
    )
    summary: Annotated[Text, Soft(width=INTRO_WIDTH), BlankIfInvalid()] = Field(
        default="", min_length=20
    )
    reading: Annotated[list[ReadingOut], Soft(items=8), KeepValid()] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_usable(self) -> WeeklyOut:
        if not (self.highlights or self.topics):
            raise ValueError("neither highlights nor topics are usable")
        return self


class BriefItemOut(BaseModel):
    """The model's answer for one brief item."""

    model_config = ConfigDict(extra="ignore")

    title: Annotated[ChineseText, Soft(width=BRIEF_TITLE_WIDTH)] = Field(min_length=4)
    category: str
    explanation: Annotated[Text, Soft(width=BRIEF_TEXT_WIDTH)] = Field(min_length=8)
    background: Annotated[Text, Soft(width=BRIEF_TEXT_WIDTH)] = ""
    points: Annotated[list[Annotated[Text, Soft(width=BRIEF_POINT_WIDTH)]], Soft(items=4)] = Field(
        default_factory=list
    )
    source: str = ""  # id of the article the 来源出处 link points to


class WeeklyWrite(BaseModel):
    """What the weekly write step produced: the answer, or None when it must be extractive."""

    out: WeeklyOut | None = None
    failures: list[Failure] = Field(default_factory=list)
    stats: LLMStats = Field(default_factory=LLMStats)


class BriefWrite(BaseModel):
    """What the brief write step produced: an answer per story id that was written."""

    items: dict[str, BriefItemOut] = Field(default_factory=dict)
    failures: list[Failure] = Field(default_factory=list)
    stats: LLMStats = Field(default_factory=LLMStats)


# ---------------------------------------------------------------- payloads


def _main_entry(n: int, story: Story) -> dict[str, Any]:
    excerpt = "\n".join(t for t in select_text(story.articles, WEEKLY_STORY_TOKENS) if t)
    return {
        "id": f"s{n + 1}",
        "section": story.section,
        "source": escape_data("、".join(dict.fromkeys(a.source for a in story.articles))),
        "title": escape_data(story.primary.title),
        "text": escape_data(excerpt),
    }


def _more_entry(n: int, story: Story) -> dict[str, Any]:
    return {
        "id": f"m{n + 1}",
        "source": escape_data(story.primary.source),
        "title": escape_data(story.primary.title),
        "text": escape_data(clip(story.primary.text, WEEKLY_MORE_TOKENS)),
    }


def weekly_payload(main: Sequence[Story], more: Sequence[Story], *, week: str) -> dict[str, Any]:
    """The data of the weekly call: main stories with excerpts, candidates for 其他重要资讯."""
    return {
        "week": week,
        "stories": [_main_entry(n, s) for n, s in enumerate(main)],
        "more": [_more_entry(n, s) for n, s in enumerate(more)],
    }


# ---------------------------------------------------------------- the writer


class PeriodicWriter(Writer):
    """The writer of the weekly and brief formats (same client, cache and stats)."""

    def _ask(
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
            system_vars={"tag": tag, "categories": BRIEF_CATEGORIES},
            cache_key=client.key_for(kind, schema, payload),
            max_tokens=max_tokens,
        )

    async def write_weekly(
        self, main: Sequence[Story], more: Sequence[Story], *, week: str
    ) -> WeeklyOut:
        """The weekly's text in one call; raise LLMError when the endpoint cannot."""
        payload = weekly_payload(main, more, week=week)
        out: WeeklyOut = await self._client().complete(
            self._ask("weekly", WeeklyOut, payload, "story")
        )
        blank = [not out.intro, not out.summary, not out.highlights, not out.topics]
        self.stats.degraded_parts += sum(blank)  # these parts fall back to extractive text
        return out

    async def write_brief_item(self, story: Story) -> BriefItemOut:
        """One brief item; raise LLMError when the endpoint cannot."""
        payload = story_input(story, self.llm.story_input_tokens, self.prompts)
        request = self._ask("brief", BriefItemOut, payload, "article", BRIEF_OUTPUT_TOKENS)
        out: BriefItemOut = await self._client().complete(request)
        return out

    async def write_week(self, stories: Sequence[Story], *, week: str) -> WeeklyWrite:
        """The weekly call, degraded to None (extractive) on failure or without the LLM."""
        main = [s for s in stories if s.placement == "main"]
        more = [s for s in stories if s.placement == "more"]
        if self.client is None or not main:
            return WeeklyWrite()
        try:
            async with self.client.session():
                out = await self.write_weekly(main, more, week=week)
        except LLMError as exc:
            logger.warning("weekly text degraded: %s", exc, extra=progress.failure("write"))
            failure = Failure(url=f"weekly:{week}", stage="write", error=str(exc))
            return WeeklyWrite(failures=[failure], stats=self.stats.model_copy())
        return WeeklyWrite(out=out, stats=self.stats.model_copy())

    async def write_brief(self, stories: Sequence[Story]) -> BriefWrite:
        """Every main story as a brief item; a failed one is left out and recorded."""
        if self.client is None:
            return BriefWrite()
        gate = asyncio.Semaphore(self.llm.concurrency)
        failures: list[Failure] = []

        async def one(story: Story) -> tuple[str, BriefItemOut | None]:
            async with gate:
                try:
                    return story.id, await self.write_brief_item(story)
                except LLMError as exc:
                    logger.warning(
                        "brief item %s degraded: %s", story.id, exc, extra=progress.failure("write")
                    )
                    failures.append(Failure(url=story.primary.url, stage="write", error=str(exc)))
                    return story.id, None

        main = [s for s in stories if s.placement == "main"]
        async with self.client.session():
            answers = await asyncio.gather(*(one(s) for s in main))
        items = {sid: out for sid, out in answers if out is not None}
        return BriefWrite(items=items, failures=failures, stats=self.stats.model_copy())

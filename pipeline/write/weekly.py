"""The weekly's writer: one LLM call over the week's ranked stories (``prompts/weekly.*``).

The model groups the top stories into topics and cites them by the ids the prompt gives
(``s1``… main, ``m1``… the rest); the answer is handed on as :class:`WeeklyText` citing
story ids, so no later stage knows the prompt's numbering. Turning it into the weekly
(grounding, links, extractive parts) is :mod:`pipeline.formats.weekly`'s work. A call
that fails is recorded as a Failure and the whole text is left to the extractive weekly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from pipeline import progress
from pipeline.errors import LLMError
from pipeline.llm.structured import BlankIfInvalid, KeepValid, Soft
from pipeline.models import (
    Failure,
    Story,
    WeeklyGroupText,
    WeeklyPoint,
    WeeklyReading,
    WeeklyText,
    WeeklyTopicText,
    WeeklyWrite,
)
from pipeline.write.answers import ChineseText, Paragraph, Text, move_overflow
from pipeline.write.brief import BRIEF_CATEGORIES
from pipeline.write.excerpt import clip, escape_data, select_text
from pipeline.write.writer import LLMWriter

logger = logging.getLogger(__name__)

WEEKLY_STORY_TOKENS = 260  # excerpt budget of one main story in the weekly call
WEEKLY_MORE_TOKENS = 60  # excerpt budget of one 其他重要资讯 candidate
# soft limits in 字 (pipeline.llm.repair.width), after the published weekly
HIGHLIGHT_WIDTH, HIGHLIGHT_TEXT_WIDTH = 36, 80
TOPIC_WIDTH, BULLET_WIDTH = 30, 90
GROUP_LABEL_WIDTH, GROUP_TEXT_WIDTH = 10, 160
READING_WIDTH, INTRO_WIDTH = 30, 240
SYSTEM = {"categories": BRIEF_CATEGORIES}  # the system prompts' variables besides the tag


# ---------------------------------------------------------------- output schema


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


# ---------------------------------------------------------------- payload and answer


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


def story_ids(main: Sequence[Story], more: Sequence[Story]) -> dict[str, Story]:
    """The ids the weekly prompt gives stories: ``s1``… for main, ``m1``… for the rest."""
    known = {f"s{n + 1}": s for n, s in enumerate(main)}
    return known | {f"m{n + 1}": s for n, s in enumerate(more)}


def to_weekly_text(out: WeeklyOut, main: Sequence[Story], more: Sequence[Story]) -> WeeklyText:
    """The model's answer citing story ids (an id the prompt did not give is left out)."""
    known = {key: story.id for key, story in story_ids(main, more).items()}

    def ids(refs: list[str]) -> list[str]:
        return [known[r] for r in refs if r in known]

    return WeeklyText(
        intro=out.intro,
        highlights=[
            WeeklyPoint(title=h.title, text=h.text, stories=ids(h.stories)) for h in out.highlights
        ],
        topics=[
            WeeklyTopicText(
                title=t.title, paragraphs=t.paragraphs, bullets=t.bullets, stories=ids(t.stories)
            )
            for t in out.topics
        ],
        other_news=[
            WeeklyGroupText(label=g.label, text=g.text, stories=ids(g.stories))
            for g in out.other_news
        ],
        summary=out.summary,
        reading=[
            WeeklyReading(story=known[r.id], title=r.title) for r in out.reading if r.id in known
        ],
    )


# ---------------------------------------------------------------- the writer


class WeeklyWriter(LLMWriter):
    """The weekly's writer: the whole text in one call, or nothing (extractive)."""

    async def write_weekly(
        self, main: Sequence[Story], more: Sequence[Story], *, week: str
    ) -> WeeklyOut:
        """The weekly's text in one call; raise LLMError when the endpoint cannot."""
        payload = weekly_payload(main, more, week=week)
        answer = await self._client().ask("weekly", WeeklyOut, payload, tag="story", system=SYSTEM)
        out = answer.value
        blank = [not out.intro, not out.summary, not out.highlights, not out.topics]
        self.stats.degraded_parts += sum(blank)  # these parts fall back to extractive text
        return out

    async def write_week(self, stories: Sequence[Story], *, week: str) -> WeeklyWrite:
        """The weekly call, degraded to no text (extractive) on failure or without the LLM."""
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
        return WeeklyWrite(text=to_weekly_text(out, main, more), stats=self.stats.model_copy())

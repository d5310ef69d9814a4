"""What the writers hand on: story drafts, digest text, each format's written result."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from pipeline.models.articles import Failure, Frozen

# Markers that flag text an editor must look at; `digest lint` reports both, so a
# draft that still carries one cannot be published by accident.
UNSUPPORTED_MARK = "【待核实：{claim}】"
DEGRADED_MARK = "【待编辑】"


class Fact(Frozen):
    """One bold-labelled fact line of a story: ``- **label**：text``."""

    label: str
    text: str
    sources: list[str] = Field(default_factory=list)  # article ids supporting the fact


class Impact(Frozen):
    """One line of a story's ``**影响：**`` block."""

    label: str  # e.g. "对 AI 概念股"
    text: str  # e.g. "利好。…"
    sources: list[str] = Field(default_factory=list)


class StoryDraft(Frozen):
    """What the writer produced for one main story."""

    story_id: str
    headline: str
    url: str  # link of the story heading: always one of the story's source articles
    lead: str
    facts: list[Fact] = Field(default_factory=list)
    analysis: list[str] = Field(default_factory=list)  # 深度解读 & 洞察 paragraphs
    impact: list[Impact] = Field(default_factory=list)
    degraded: bool = False  # extractive fallback, marked 待编辑
    unsupported: list[str] = Field(default_factory=list)
    repairs: list[str] = Field(default_factory=list)  # what was fixed in code, not asked again


class MoreItem(Frozen):
    """One line of the 更多动态 section."""

    story_id: str
    title: str
    url: str
    text: str
    category: str | None = None


class SectionDraft(Frozen):
    """A section of the draft: a heading and its main stories, in order."""

    key: str
    title: str  # e.g. "AI 资本市场：创纪录融资与估值飙升"
    stories: list[StoryDraft]


class DigestMeta(Frozen):
    """The digest-level text: title, summary bullets, section titles."""

    title: str
    summary: list[str]
    section_titles: dict[str, str] = Field(default_factory=dict)


class DailyDraft(Frozen):
    """Everything the daily template needs."""

    date: date
    meta: DigestMeta
    sections: list[SectionDraft]
    more: list[MoreItem] = Field(default_factory=list)
    cover_image: str = ""


class LLMStats(BaseModel):
    """Counters of the LLM stage, summed over a run."""

    llm_calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    degraded_stories: int = 0
    repairs: int = 0  # soft-limit violations repaired in code instead of asking again
    retries: int = 0  # answers asked again because they were structurally unusable
    loops: int = 0  # answers cut off because the model repeated itself
    degraded_parts: int = 0  # digest/weekly parts left to their extractive fallback

    def add(self, other: LLMStats) -> None:
        """Accumulate another stats object into this one."""
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Written(BaseModel):
    """What every format's writer hands on: its failures and the LLM's counters."""

    failures: list[Failure] = Field(default_factory=list)
    stats: LLMStats = Field(default_factory=LLMStats)


class WriteResult(Written):
    """The daily's writing: a draft per main story, the digest text, the 更多动态 lines."""

    drafts: dict[str, StoryDraft]
    meta: DigestMeta
    more: list[MoreItem] = Field(default_factory=list)


class WeeklyPoint(BaseModel):
    """A Highlights bullet: a bold lead and the rest, and the stories it draws on."""

    title: str
    text: str = ""
    stories: list[str] = Field(default_factory=list)  # story ids


class WeeklyTopicText(BaseModel):
    """A topic of Detailed Coverage as written, and the stories it draws on."""

    title: str
    paragraphs: list[str] = Field(default_factory=list)
    bullets: list[str] = Field(default_factory=list)
    stories: list[str] = Field(default_factory=list)  # story ids


class WeeklyGroupText(BaseModel):
    """A bold group of 其他重要资讯 as written, and the stories it draws on."""

    label: str
    text: str
    stories: list[str] = Field(default_factory=list)  # story ids


class WeeklyReading(BaseModel):
    """A 相关阅读链接 entry: the story whose source it links, under the title written."""

    story: str  # story id
    title: str


class WeeklyText(BaseModel):
    """The weekly's text as the model wrote it, each part citing stories by their ids."""

    intro: str = ""
    highlights: list[WeeklyPoint] = Field(default_factory=list)
    topics: list[WeeklyTopicText] = Field(default_factory=list)
    other_news: list[WeeklyGroupText] = Field(default_factory=list)
    summary: str = ""
    reading: list[WeeklyReading] = Field(default_factory=list)


class WeeklyWrite(Written):
    """The weekly's writing: its text, or None when it must be extractive."""

    text: WeeklyText | None = None


class BriefWrite(Written):
    """The brief's writing: a draft and a category per story the model wrote."""

    drafts: dict[str, StoryDraft] = Field(default_factory=dict)
    categories: dict[str, str] = Field(default_factory=dict)  # story id → brief category

"""Pydantic models: the only contract between the pipeline's stages.

FeedEntry → Article → Story → StoryDraft (+ DigestMeta) → rendered draft + RunRecord.
Library objects (feedparser dicts, trafilatura documents, openai responses) never
cross a stage boundary; each stage converts them into these models.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.text.redact import redact_text
from pipeline.text.sanitize import strip_invisible

Lang = Literal["zh", "en"]
Placement = Literal["main", "more"]
# Bounds of a configured source: a weight scales ranking; names and URLs are shown everywhere.
MAX_SOURCE_WEIGHT = 10.0
MAX_SOURCE_NAME = 200
MAX_SOURCE_URL = 2000
Stage = Literal["feed", "page", "extract", "cluster", "write", "check", "render", "store"]


def article_id(canonical_url: str) -> str:
    """Stable short id of an article, derived from its canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:12]


class Frozen(BaseModel):
    """Base for immutable, serialisable stage records."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Frozen):
    """One configured feed."""

    name: str = Field(min_length=1, max_length=MAX_SOURCE_NAME)
    url: str = Field(max_length=MAX_SOURCE_URL)
    lang: Lang = "zh"
    weight: float = Field(default=1.0, ge=0, le=MAX_SOURCE_WEIGHT, allow_inf_nan=False)

    @field_validator("url")
    @classmethod
    def _fetchable(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme.lower() not in ("http", "https"):
            scheme = parts.scheme or "none"
            raise ValueError(f"only http and https feeds can be fetched, not {scheme!r}")
        if not parts.hostname:
            raise ValueError(f"{value!r} names no host")
        return value.strip()


class FeedEntry(Frozen):
    """One item of a feed, as the feed describes it (plain text, no HTML)."""

    source: str
    lang: Lang
    url: str  # canonical URL
    title: str
    published: datetime | None = None  # timezone-aware; None when the feed gave no usable date
    summary: str = ""  # the feed's own content or description, as plain text
    author: str | None = None
    image: str | None = None


class Article(Frozen):
    """A fetched and extracted article: what every later stage works on."""

    id: str
    url: str  # canonical URL
    source: str
    lang: Lang
    title: str
    published: datetime  # timezone-aware
    date_source: Literal["feed", "page", "first_seen"] = "feed"
    text: str
    text_source: Literal["page", "feed"] = "page"
    site_name: str | None = None
    author: str | None = None
    image: str | None = None
    first_seen: datetime


class Dropped(Frozen):
    """An article of the window that is in no story, and why."""

    url: str
    reason: str  # duplicate | off-topic | already-covered | out-of-window | …
    of: str | None = None  # for duplicates: URL of the kept article
    title: str | None = None
    by: str | None = None  # for off-topic: who decided, "llm" or "rules"


class Failure(Frozen):
    """A feed, page or story that failed, with a readable reason (secrets masked)."""

    url: str
    stage: Stage
    error: str

    @field_validator("url", "error")
    @classmethod
    def _shown(cls, value: str) -> str:
        """Failures are printed and stored: no credential, no invisible or control character."""
        return strip_invisible(redact_text(value))


class Story(Frozen):
    """One event, carried by one or more articles (the first is the primary source)."""

    id: str
    articles: list[Article]
    section: str  # key of the section in the configured taxonomy
    score: float = 0.0
    placement: Placement = "main"
    follow_up_of: str | None = None  # title of the earlier story this one develops

    @property
    def primary(self) -> Article:
        """The article whose link heads the story."""
        return self.articles[0]


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


class RecordArticle(Frozen):
    url: str
    title: str
    source: str


class RecordFact(Frozen):
    """A fact or impact line of a story and the URLs of the articles it cites."""

    label: str
    sources: list[str] = Field(default_factory=list)


class RecordStory(Frozen):
    id: str
    title: str
    section: str
    placement: Placement
    articles: list[RecordArticle]
    unsupported: list[str] = Field(default_factory=list)
    degraded: bool = False
    repairs: list[str] = Field(default_factory=list)
    follow_up_of: str | None = None
    facts: list[RecordFact] = Field(default_factory=list)  # in draft order (review page)


class RunRecord(BaseModel):
    """``output/<format>/<date>.json``: the draft's provenance record."""

    date: date
    format: str
    stories: list[RecordStory] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    # articles whose text is not the page's full extraction, and why (url → note)
    notes: dict[str, str] = Field(default_factory=dict)
    stats: dict[str, float | int | str] = Field(default_factory=dict)
    markdown_sha256: str = ""
    draft: str = ""  # path of the Markdown written
    no_draft: str = ""  # why no draft was written (a run that found no story)


class PublishedStory(Frozen):
    """A story an earlier digest already carried (from the archive or a digest file)."""

    date: date
    format: str = "daily"
    title: str
    urls: list[str] = Field(default_factory=list)
    text: str = ""  # heading plus lead, for similarity
    sources: list[str] = Field(default_factory=list)  # its articles' title + text, for reposts


# Markers that flag text an editor must look at; `digest lint` reports both, so a
# draft that still carries one cannot be published by accident.
UNSUPPORTED_MARK = "【待核实：{claim}】"
DEGRADED_MARK = "【待编辑】"

"""Pydantic models: the only contract between the pipeline's stages.

Every type that crosses a stage or a Prefect task boundary is defined here, one module
per part of the run:

- ``articles``: Source → FeedEntry → Article, Dropped, Failure (ingest hands on)
- ``ingest``: FeedOutcome, PageOutcome, IngestReport (the fetch tasks' results)
- ``stories``: Story, Judgement, ClusterResult, CoveredStory (the stories stage's)
- ``drafts``: StoryDraft, DigestMeta, …; WriteResult, WeeklyWrite, BriefWrite (the writers')
- ``records``: RunRecord, Target, RenderedDraft, RunSummary (what a run leaves on disk)

Library objects (feedparser dicts, trafilatura documents, openai responses, an LLM's raw
answer) never cross a stage boundary; each stage converts them into these models.
Import them from here: ``from pipeline.models import Article``.
"""

from __future__ import annotations

from pipeline.models.articles import (
    MAX_SOURCE_NAME,
    MAX_SOURCE_URL,
    MAX_SOURCE_WEIGHT,
    Article,
    Dropped,
    Failure,
    FeedEntry,
    Frozen,
    Lang,
    Source,
    Stage,
    article_id,
)
from pipeline.models.drafts import (
    DEGRADED_MARK,
    UNSUPPORTED_MARK,
    BriefWrite,
    DailyDraft,
    DigestMeta,
    Fact,
    Impact,
    LLMStats,
    MoreItem,
    SectionDraft,
    StoryDraft,
    WeeklyGroupText,
    WeeklyPoint,
    WeeklyReading,
    WeeklyText,
    WeeklyTopicText,
    WeeklyWrite,
    WriteResult,
    Written,
)
from pipeline.models.ingest import FeedOutcome, IngestReport, PageOutcome
from pipeline.models.records import (
    EXIT_CLEAN,
    EXIT_NO_DRAFT,
    EXIT_PROBLEMS,
    RecordArticle,
    RecordFact,
    RecordStory,
    RenderedDraft,
    RunRecord,
    RunSummary,
    Target,
)
from pipeline.models.stories import ClusterResult, CoveredStory, Judgement, Placement, Story

__all__ = [
    "DEGRADED_MARK",
    "EXIT_CLEAN",
    "EXIT_NO_DRAFT",
    "EXIT_PROBLEMS",
    "MAX_SOURCE_NAME",
    "MAX_SOURCE_URL",
    "MAX_SOURCE_WEIGHT",
    "UNSUPPORTED_MARK",
    "Article",
    "BriefWrite",
    "ClusterResult",
    "CoveredStory",
    "DailyDraft",
    "DigestMeta",
    "Dropped",
    "Fact",
    "Failure",
    "FeedEntry",
    "FeedOutcome",
    "Frozen",
    "Impact",
    "IngestReport",
    "Judgement",
    "LLMStats",
    "Lang",
    "MoreItem",
    "PageOutcome",
    "Placement",
    "RecordArticle",
    "RecordFact",
    "RecordStory",
    "RenderedDraft",
    "RunRecord",
    "RunSummary",
    "SectionDraft",
    "Source",
    "Stage",
    "Story",
    "StoryDraft",
    "Target",
    "WeeklyGroupText",
    "WeeklyPoint",
    "WeeklyReading",
    "WeeklyText",
    "WeeklyTopicText",
    "WeeklyWrite",
    "WriteResult",
    "Written",
    "article_id",
]

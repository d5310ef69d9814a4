"""Stories and what the stories stage hands on: clusters, relevance verdicts, covered stories."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from pipeline.models.articles import Article, Dropped, Frozen
from pipeline.models.drafts import LLMStats

Placement = Literal["main", "more"]


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


class Judgement(BaseModel):
    """What the LLM said about one article."""

    ai: bool
    # False when the LLM called it not news at all (a how-to guide, an outlet's own ad)
    news: bool = True
    # canonical Latin names of its subjects, for clustering across languages; the judge
    # does not ask for them (a small model copies them between items; docs/decisions.md)
    names: list[str] = Field(default_factory=list)


class ClusterResult(BaseModel):
    """What the cluster stage hands on: stories to write and articles left out."""

    stories: list[Story] = Field(default_factory=list)  # ranked; "main" first, then "more"
    dropped: list[Dropped] = Field(default_factory=list)
    uncertain: list[str] = Field(default_factory=list)  # ids of kept, undecided articles
    relevance: dict[str, int] = Field(default_factory=dict)  # who decided, counted
    # the LLM's check of pairs the features could not decide: asked, same, different
    pair_checks: dict[str, int] = Field(default_factory=dict)
    # the calls that check cost in this run (not stored: a rerun from the cache made none)
    llm: LLMStats = Field(default_factory=LLMStats)


class CoveredStory(Frozen):
    """A story an earlier digest already carried (from the archive or a digest file)."""

    date: date
    format: str = "daily"
    title: str
    urls: list[str] = Field(default_factory=list)
    text: str = ""  # heading plus lead, for similarity
    sources: list[str] = Field(default_factory=list)  # its articles' title + text, for reposts

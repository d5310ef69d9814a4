"""Sources, feed entries and articles: what ingestion hands on, and how a failure reads."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.text.redact import redact_text
from pipeline.text.sanitize import strip_invisible

Lang = Literal["zh", "en"]
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

"""The source pane: a story's articles from the record and the archive, cited sentences marked.

The archive is opened read-only (a running pipeline keeps writing it); an article that
is not archived still shows its title, outlet and link from the record.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from pipeline.models import Article
from pipeline.review.web.citations import Claim, Piece, highlight, plain
from pipeline.review.web.markup import Unit
from pipeline.store.archive import ARCHIVE_NAME, SQL_CHUNK, load_model

logger = logging.getLogger(__name__)

MAX_TEXT = 40_000  # characters of an article shown; the rest is cut with a note
URL_UNESCAPES = {"%20": " ", "%28": "(", "%29": ")"}


class SourceArticle(BaseModel):
    """One source article as the pane shows it."""

    url: str
    title: str
    outlet: str
    published: str = ""  # local time, e.g. 2026-02-06 09:12
    archived: bool = False
    pieces: list[Piece] = Field(default_factory=list)
    cited: int = 0  # sentences highlighted
    truncated: bool = False
    note: str = ""  # from the record: e.g. "extraction empty; used the feed's content"


class StorySources(BaseModel):
    """Everything the source pane shows for one story."""

    address: str
    title: str
    articles: list[SourceArticle] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)  # the grounding check's, from the record
    degraded: bool = False
    follow_up_of: str | None = None
    claims: list[Claim] = Field(default_factory=list)
    uncited: list[Claim] = Field(default_factory=list)  # claims no sentence supports
    in_record: bool = False


def same_url(a: str, b: str) -> bool:
    """Whether two links name the same page (a Markdown-escaped one included)."""
    return _unescape(a.strip()).rstrip("/") == _unescape(b.strip()).rstrip("/")


def _unescape(url: str) -> str:
    for escaped, raw in URL_UNESCAPES.items():
        url = url.replace(escaped, raw)
    return url


def record_stories(unit: Unit, record: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The record's stories whose articles include one of the story's links (else its title)."""
    stories = [s for s in (record or {}).get("stories") or [] if isinstance(s, dict)]
    by_url = [s for s in stories if any(same_url(u, a) for u in unit.urls for a in _urls(s))]
    if by_url:
        return by_url[:1]
    return [s for s in stories if str(s.get("title", "")).strip() == unit.title.strip()][:1]


def _urls(story: dict[str, Any]) -> list[str]:
    return [str(a.get("url", "")) for a in story.get("articles") or [] if isinstance(a, dict)]


def load_articles(data_dir: Path, urls: Iterable[str]) -> dict[str, Article]:
    """The archived articles of these URLs, read-only; none if there is no archive."""
    path = data_dir / ARCHIVE_NAME
    wanted = list(dict.fromkeys(urls))
    if not path.is_file() or not wanted:
        return {}
    found: dict[str, Article] = {}
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        ) as db:
            for i in range(0, len(wanted), SQL_CHUNK):
                chunk = wanted[i : i + SQL_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT json FROM articles WHERE url IN ({marks})", chunk)
                found.update((a.url, a) for (text,) in rows if (a := load_model(Article, text)))
    except sqlite3.Error as exc:
        logger.warning("cannot read the archive %s: %s", path, exc)
    return found


def story_sources(
    unit: Unit, record: dict[str, Any] | None, data_dir: Path, tz: ZoneInfo
) -> StorySources:
    """The source pane of one story: its articles, their cited sentences, the record's findings."""
    matched = record_stories(unit, record)
    story = matched[0] if matched else {}
    listed = _listed_articles(unit, story)
    claims = _cited_claims(unit.claims, story)
    archived = load_articles(data_dir, [a["url"] for a in listed])
    notes = (record or {}).get("notes") or {}
    seen: set[str] = set()
    articles = [
        _article(item, archived.get(item["url"]), claims, seen, tz, str(notes.get(item["url"], "")))
        for item in listed
    ]
    return StorySources(
        address=unit.address,
        title=unit.title,
        articles=articles,
        findings=[str(f) for f in story.get("unsupported") or []],
        degraded=bool(story.get("degraded")) or unit.degraded,
        follow_up_of=story.get("follow_up_of"),
        claims=claims,
        uncited=[c.model_copy(update={"text": plain(c.text)}) for c in claims if c.id not in seen],
        in_record=bool(story),
    )


def _listed_articles(unit: Unit, story: dict[str, Any]) -> list[dict[str, str]]:
    """The record's articles of the story; without a record, the story's own links."""
    listed = [
        {
            "url": str(a.get("url", "")),
            "title": str(a.get("title", "")),
            "source": str(a.get("source", "")),
        }
        for a in story.get("articles") or []
        if isinstance(a, dict) and a.get("url")
    ]
    known = {a["url"] for a in listed}
    extra = [u for u in dict.fromkeys(unit.urls) if not any(same_url(u, k) for k in known)]
    if not listed:
        listed = [{"url": _unescape(u), "title": "", "source": ""} for u in extra]
    return listed


def _cited_claims(claims: list[Claim], story: dict[str, Any]) -> list[Claim]:
    """The claims, each restricted to the articles its fact cites when the record says.

    Facts pair with the draft's lines by label, in order (labels can repeat).
    """
    facts = [f for f in story.get("facts") or [] if isinstance(f, dict) and f.get("sources")]
    out = []
    for claim in claims:
        fact = next(
            (f for f in facts if claim.text.startswith(str(f.get("label", "")) + "：")), None
        )
        if fact is not None:
            facts.remove(fact)
        sources = [str(u) for u in fact["sources"]] if fact else []
        out.append(claim.model_copy(update={"sources": sources}))
    return out


def _article(
    item: dict[str, str],
    article: Article | None,
    claims: list[Claim],
    seen: set[str],
    tz: ZoneInfo,
    note: str,
) -> SourceArticle:
    out = SourceArticle(url=item["url"], title=item["title"], outlet=item["source"], note=note)
    if article is None:
        return out
    text = article.text[:MAX_TEXT]
    mine = [c for c in claims if not c.sources or any(same_url(item["url"], s) for s in c.sources)]
    out.pieces = highlight(text, mine, seen, "src")
    out.cited = sum(1 for p in out.pieces if p.claims)
    out.archived, out.truncated = True, len(article.text) > MAX_TEXT
    out.title = out.title or article.title
    out.outlet = out.outlet or article.source
    out.published = _local(article.published, tz)
    return out


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")

"""The no-repeat memory's input: which stories earlier digests already carried.

Read from the archive and from the drafts on disk as editors left them (a story an
editor added by hand counts too), so tomorrow's digest does not repeat them. The
stories stage judges what counts as a repeat (:func:`pipeline.stories.cluster.match_covered`);
reading the drafts back needs the Markdown parser, hence this module lives here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from pipeline.markdown.document import (
    DOCUMENT_KINDS,
    Block,
    BriefDocument,
    BriefItem,
    Bullet,
    BulletList,
    DailyDocument,
    Document,
    Format,
    Lead,
    MoreSection,
    Paragraph,
    Rule,
    SectionNode,
    Sources,
    StoryNode,
    WeeklyDocument,
)
from pipeline.markdown.parse import parse
from pipeline.models import CoveredStory
from pipeline.store.archive import Archive

SOURCE_CHARS = 1500  # of each source article, kept to recognise a later repost
LOOKBACK_DAYS = 30  # the stories stage's memory (stories.cluster.MEMORY_DAYS)
StoryRef = tuple[str, list[str], str]  # title, URLs, lead text
FORMATS: dict[str, Format] = {kind: kind for kind in DOCUMENT_KINDS}
# a Markdown link whose title may hold escaped brackets (the same pattern as lint's)
_LINK = re.compile(r"\[((?:\\.|[^\]\\\n])*)\]\(([^)\n]*)\)")
_HTTP = re.compile(r"https?://\S+")
_BRIEF_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def covered_in(
    text: str, fmt: str | None = None, *, default_date: dt.date | None = None
) -> list[CoveredStory]:
    """The stories a (possibly hand-edited) digest carries, to avoid repeating them.

    ``fmt`` other than daily/weekly/brief means "detect". The date comes from the front
    matter (or the brief's title), else ``default_date``, else ``date.min``.
    """
    doc = parse(text, FORMATS.get(fmt or ""))
    when = _document_date(doc) or default_date or dt.date.min
    if isinstance(doc, DailyDocument):
        refs = _daily_refs(doc)
    elif isinstance(doc, WeeklyDocument):
        refs = [_story_ref(story) for s in doc.sections for story in s.stories]
    else:
        refs = _brief_refs(doc)
    return [
        CoveredStory(
            date=when, format=doc.format, title=title, urls=urls, text=f"{title}\n{lead}".strip()
        )
        for title, urls, lead in refs
        if title.strip()
    ]


def _document_date(doc: Document) -> dt.date | None:
    if isinstance(doc, BriefDocument):
        found = _BRIEF_DATE.search(doc.title.title) if doc.title else None
        try:
            return dt.date(int(found[1]), int(found[2]), int(found[3])) if found else None
        except ValueError:
            return None
    return doc.front.date() if doc.front else None


def _daily_refs(doc: DailyDocument) -> list[StoryRef]:
    refs: list[StoryRef] = []
    for section in doc.sections:
        if isinstance(section, MoreSection):
            refs += [_bullet_ref(b) for g in section.groups for b in g.bullets.items]
        elif section.stories:
            refs += [_story_ref(story) for story in section.stories]
        else:
            refs += _label_refs(section)
    return refs


def _story_ref(story: StoryNode) -> StoryRef:
    urls = [story.heading.url] if story.heading.url else []
    urls += _urls(story.blocks)
    lead = next((_text(b) for b in story.blocks if isinstance(b, Paragraph | BulletList)), "")
    return _unescape(story.heading.title), _dedupe(urls), lead


def _label_refs(section: SectionNode) -> list[StoryRef]:
    """A section without ``###``: one story, or one per bold-labelled paragraph (000)."""
    content = [b for b in section.blocks if not isinstance(b, Rule)]
    if not content:
        return []
    first = content[0]
    if isinstance(first, Paragraph) and first.lead is None:
        return [(section.heading.title, _dedupe(_urls(content)), first.text)]
    return [
        (b.lead.name, _dedupe(_urls([b])), b.text)
        for b in content
        if isinstance(b, Paragraph) and b.lead is not None and b.text.strip()
    ]


def _bullet_ref(bullet: Bullet) -> StoryRef:
    if bullet.lead is None:
        return bullet.text.partition("：")[0], _dedupe(_urls_in(bullet.text)), bullet.text
    return _unescape(bullet.lead.name), _dedupe(_urls_in(_bullet_text(bullet))), bullet.text


def _brief_refs(doc: BriefDocument) -> list[StoryRef]:
    entries = [*doc.intro, *(e for c in doc.categories for e in c.entries)]
    refs: list[StoryRef] = []
    for item in entries:
        if isinstance(item, BriefItem):
            source = item.field("来源出处")
            explanation = item.field("说明")
            refs.append(
                (
                    item.title,
                    _urls_in(source.value if source else ""),
                    explanation.value if explanation else "",
                )
            )
    return refs


def _lead_text(lead: Lead | None) -> str:
    if lead is None:
        return ""
    return f"[{lead.name}]({lead.url})" if lead.url else lead.name


def _bullet_text(bullet: Bullet) -> str:
    parts = [_lead_text(bullet.lead) + bullet.text]
    return "\n".join(parts + [_bullet_text(c) for c in bullet.children])


def _text(block: Block) -> str:
    """The plain-ish text of a block, links kept as Markdown."""
    if isinstance(block, Paragraph):
        return _lead_text(block.lead) + ("：" if block.lead and block.text else "") + block.text
    if isinstance(block, BulletList):
        return "\n".join(_bullet_text(b) for b in block.items)
    if isinstance(block, Sources):
        return " | ".join(f"[{link.title}]({link.url})" for link in block.links)
    return ""


def _urls(blocks: Sequence[Block]) -> list[str]:
    return [url for block in blocks for url in _urls_in(_text(block))]


def _urls_in(text: str) -> list[str]:
    return [m[2] for m in _LINK.finditer(text) if _HTTP.fullmatch(m[2])]


def _dedupe(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def _unescape(title: str) -> str:
    return title.replace("\\[", "[").replace("\\]", "]")


def covered_before(archive: Archive, output_dir: Path, fmt: str, day: date) -> list[CoveredStory]:
    """Stories of the last 30 days' digests: from the archive and from the drafts on disk.

    Drafts on disk count as published in the form the editor left them, so a story an
    editor added by hand is not repeated either. Each story carries the text of its
    archived source articles, so that a later verbatim repost is recognised.
    """
    start = day - timedelta(days=LOOKBACK_DAYS)
    stories = archive.covered_between(start, day - timedelta(days=1), format=fmt)
    for offset in range(1, LOOKBACK_DAYS + 1):
        when = day - timedelta(days=offset)
        path = output_dir / fmt / f"{when}.md"
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            stories.extend(covered_in(text, fmt, default_date=when))
    return [with_sources(archive, s) for s in stories]


def with_sources(archive: Archive, story: CoveredStory) -> CoveredStory:
    """The story with its archived source articles' text (kept as it is if it has some)."""
    if story.sources:
        return story
    found = [a for url in story.urls if (a := archive.get_article(url)) is not None]
    texts = [f"{a.title}\n{a.text[:SOURCE_CHARS]}" for a in found]
    return story.model_copy(update={"sources": texts}) if texts else story

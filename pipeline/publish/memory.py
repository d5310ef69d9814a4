"""Which stories a digest already carried, read back from its (possibly hand-edited) text.

Tomorrow's digest must not repeat them; a story an editor added by hand counts too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from pipeline.markdown.document import (
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
    Section,
    Sources,
    Story,
    WeeklyDocument,
)
from pipeline.markdown.parse import parse
from pipeline.models import PublishedStory

StoryRef = tuple[str, list[str], str]  # title, URLs, lead text
FORMATS: dict[str, Format] = {"daily": "daily", "weekly": "weekly", "brief": "brief"}
# a Markdown link whose title may hold escaped brackets (the same pattern as lint's)
_LINK = re.compile(r"\[((?:\\.|[^\]\\\n])*)\]\(([^)\n]*)\)")
_HTTP = re.compile(r"https?://\S+")
_BRIEF_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def published_stories(
    text: str, fmt: str | None = None, *, default_date: dt.date | None = None
) -> list[PublishedStory]:
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
        PublishedStory(
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


def _story_ref(story: Story) -> StoryRef:
    urls = [story.heading.url] if story.heading.url else []
    urls += _urls(story.blocks)
    lead = next((_text(b) for b in story.blocks if isinstance(b, Paragraph | BulletList)), "")
    return _unescape(story.heading.title), _dedupe(urls), lead


def _label_refs(section: Section) -> list[StoryRef]:
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

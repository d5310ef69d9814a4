"""Editor actions on a digest, made on the document model (never on the Markdown text).

Each action takes a parsed document and returns a changed copy: drop a story, move it
up or down, move it to 更多动态 or back (markers: ``markers.py``). Stories are named by
an address: ``s2`` (a ``##`` section that is itself a story), ``s2.0`` (the first ``###``
story of section 2), ``m5.0.3`` (item 3 of group 0 of the 更多动态 section 5) and
``b1.4`` (entry 4 of category 1 of a brief).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipeline.errors import EditError
from pipeline.markdown.document import (
    MORE_TITLES,
    BriefDocument,
    BriefItem,
    Bullet,
    BulletList,
    DailyDocument,
    Document,
    Heading,
    Lead,
    MoreGroup,
    MoreSection,
    Paragraph,
    Rule,
    SectionNode,
    StoryNode,
)

ADDRESS_RE = re.compile(r"(?P<kind>[smb])(?P<a>\d{1,4})(?:\.(?P<b>\d{1,4}))?(?:\.(?P<c>\d{1,4}))?")
UNSUPPORTED_RE = re.compile(r"【待核实[^】\n]*】")
CN_NUMERALS = "一二三四五六七八九十"
CN_NUMBER_RE = re.compile(r"[一二三四五六七八九十]+、")
MORE_TITLE = MORE_TITLES[0]
MORE_TEXT_LIMIT = 160  # characters of a story's lead kept on its 更多动态 line


@dataclass(frozen=True)
class Address:
    """Where a story is: its kind (s, m, b) and up to three indices."""

    kind: str
    a: int
    b: int | None = None
    c: int | None = None

    def __str__(self) -> str:
        parts = [str(n) for n in (self.a, self.b, self.c) if n is not None]
        return self.kind + ".".join(parts)


def parse_address(text: str) -> Address:
    """An address from its text form, or EditError."""
    m = ADDRESS_RE.fullmatch(text or "")
    if m is None or (m["kind"] == "m") != (m["c"] is not None):
        raise EditError(f"not a story address: {text!r}")
    b, c = m["b"], m["c"]
    return Address(m["kind"], int(m["a"]), int(b) if b else None, int(c) if c else None)


# --- finding things ----------------------------------------------------------------------


def _sections(doc: Document) -> list[Any]:
    if isinstance(doc, BriefDocument):
        raise EditError("a brief has categories, not sections")
    return list(doc.sections)


def _section(doc: Document, index: int) -> SectionNode:
    sections = _sections(doc)
    if not 0 <= index < len(sections) or not isinstance(sections[index], SectionNode):
        raise EditError(f"there is no section {index} with stories")
    section: SectionNode = sections[index]
    return section


def _more(doc: DailyDocument, address: Address) -> tuple[MoreSection, MoreGroup, Bullet]:
    sections = doc.sections
    if not 0 <= address.a < len(sections) or not isinstance(sections[address.a], MoreSection):
        raise EditError(f"there is no 更多动态 section {address.a}")
    more = sections[address.a]
    assert isinstance(more, MoreSection) and address.b is not None and address.c is not None
    if not 0 <= address.b < len(more.groups):
        raise EditError(f"the 更多动态 section has no group {address.b}")
    group = more.groups[address.b]
    if not 0 <= address.c < len(group.bullets.items):
        raise EditError(f"the 更多动态 group has no item {address.c}")
    return more, group, group.bullets.items[address.c]


def _daily(doc: Document) -> DailyDocument:
    if not isinstance(doc, DailyDocument):
        raise EditError("only a daily digest has a 更多动态 section")
    return doc


def is_story_section(section: SectionNode | MoreSection) -> bool:
    """True for a ``##`` section that carries its story itself (no ``###`` under it)."""
    return isinstance(section, SectionNode) and not section.stories and _has_text(section.blocks)


def _has_text(blocks: list[Any]) -> bool:
    return any(not isinstance(b, Rule) for b in blocks)


# --- drop ---------------------------------------------------------------------------------


def drop_story(doc: Document, text: str) -> Document:
    """The document without the story at the address."""
    address, out = parse_address(text), doc.model_copy(deep=True)
    if address.kind == "b":
        _brief_entries(out, address).pop(address.b or 0)
    elif address.kind == "m":
        _drop_more_item(_daily(out), address)
    elif address.b is None:
        _story_section(out, address.a)
        _sections_list(out).pop(address.a)
    else:
        _story(out, address)  # raises when it is not there
        _section(out, address.a).stories.pop(address.b)
        _drop_if_empty(out, address.a)
    return _renumber(out)


def _brief_entries(doc: Document, address: Address) -> list[Any]:
    if not isinstance(doc, BriefDocument):
        raise EditError("only a brief has categories")
    if not 0 <= address.a < len(doc.categories) or address.b is None:
        raise EditError(f"there is no category {address.a}")
    entries = doc.categories[address.a].entries
    if not 0 <= address.b < len(entries) or not isinstance(entries[address.b], BriefItem):
        raise EditError(f"there is no item {address.b} in category {address.a}")
    return entries


def _sections_list(doc: Document) -> list[Any]:
    if isinstance(doc, BriefDocument):
        raise EditError("a brief has categories, not sections")
    sections: list[Any] = doc.sections
    return sections


def _story_section(doc: Document, index: int) -> SectionNode:
    section = _section(doc, index)
    if not is_story_section(section):
        raise EditError(f"section {index} is not a story")
    return section


def _story(doc: Document, address: Address) -> StoryNode:
    section = _section(doc, address.a)
    if address.b is None or not 0 <= address.b < len(section.stories):
        raise EditError(f"there is no story {address}")
    return section.stories[address.b]


def _drop_if_empty(doc: Document, index: int) -> None:
    section = _sections_list(doc)[index]
    if isinstance(section, SectionNode) and not section.stories and not _has_text(section.blocks):
        _sections_list(doc).pop(index)


def _drop_more_item(doc: DailyDocument, address: Address) -> Bullet:
    more, group, item = _more(doc, address)
    group.bullets.items.pop(address.c or 0)
    if group.bullets.items:
        group.bullets.items[0].gap = 0
        return item
    more.groups.remove(group)
    if not more.groups and not more.tail:
        doc.sections.remove(more)
    return item


# --- reorder ------------------------------------------------------------------------------


def move_story(doc: Document, text: str, step: int) -> Document:
    """The document with the story moved one place up (step -1) or down (+1)."""
    address, out = parse_address(text), doc.model_copy(deep=True)
    if step not in (-1, 1):
        raise EditError("a story moves one place at a time")
    if address.kind == "b":
        _move_brief(out, address, step)
    elif address.kind == "m":
        _move_more(_daily(out), address, step)
    elif address.b is None:
        _move_section(out, address.a, step)
    else:
        _move_in_sections(out, address, step)
    return _renumber(out)


def _swap(items: list[Any], i: int, j: int) -> bool:
    if not (0 <= i < len(items) and 0 <= j < len(items)):
        return False
    items[i], items[j] = items[j], items[i]
    return True


def _move_brief(doc: Document, address: Address, step: int) -> None:
    entries = _brief_entries(doc, address)
    i = address.b or 0
    j = next((k for k in _steps(i, step, len(entries)) if isinstance(entries[k], BriefItem)), -1)
    _swap(entries, i, j)


def _steps(start: int, step: int, size: int) -> range:
    return range(start + step, size if step > 0 else -1, step)


def _move_more(doc: DailyDocument, address: Address, step: int) -> None:
    _, group, _ = _more(doc, address)
    items = group.bullets.items
    i = address.c or 0
    if _swap(items, i, i + step):
        items[0].gap, items[i].gap, items[i + step].gap = 0, items[i + step].gap, items[i].gap


def _move_section(doc: Document, index: int, step: int) -> None:
    sections = _sections_list(doc)
    _story_section(doc, index)
    j = index + step
    if 0 <= j < len(sections) and isinstance(sections[j], SectionNode):
        gaps = sections[index].heading.gap, sections[j].heading.gap
        _swap(sections, index, j)
        sections[j].heading.gap, sections[index].heading.gap = gaps


def _move_in_sections(doc: Document, address: Address, step: int) -> None:
    section, story = _section(doc, address.a), _story(doc, address)
    i = address.b or 0
    if _swap(section.stories, i, i + step):
        return
    sections = _sections_list(doc)
    target = next(
        (k for k in _steps(address.a, step, len(sections)) if _holds_stories(sections[k])), None
    )
    if target is None:
        return
    section.stories.pop(i)
    stories = sections[target].stories
    stories.insert(len(stories) if step < 0 else 0, story)
    _drop_if_empty(doc, address.a)


def _holds_stories(section: SectionNode | MoreSection) -> bool:
    return isinstance(section, SectionNode) and bool(section.stories)


# --- 更多动态 -------------------------------------------------------------------------------


def to_more(doc: Document, text: str) -> Document:
    """The document with the story turned into a line of 更多动态 (its lead's first sentence)."""
    address, out = parse_address(text), _daily(doc).model_copy(deep=True)
    if address.kind != "s":
        raise EditError(f"{address} is not a main story")
    if address.b is None:
        section = _story_section(out, address.a)
        heading, blocks = section.heading, section.blocks
        out.sections.pop(address.a)
    else:
        story = _story(out, address)
        heading, blocks = story.heading, story.blocks
        _section(out, address.a).stories.pop(address.b)
        _drop_if_empty(out, address.a)
    _more_section(out).groups[-1].bullets.items.append(_more_line(heading, blocks))
    return _renumber(out)


def _more_section(doc: DailyDocument) -> MoreSection:
    found = next((s for s in doc.sections if isinstance(s, MoreSection)), None)
    if found is not None:
        if not found.groups:
            found.groups.append(MoreGroup(bullets=BulletList()))
        return found
    number = _next_number(doc)
    more = MoreSection(
        heading=Heading(level=2, number=number, title=MORE_TITLE),
        groups=[MoreGroup(bullets=BulletList())],
    )
    doc.sections.append(more)
    return more


def _more_line(heading: Heading, blocks: list[Any]) -> Bullet:
    lead_text = next((b.text for b in blocks if isinstance(b, Paragraph) and b.lead is None), "")
    sentence = first_sentence(lead_text)
    after = "：" if sentence else ""
    if heading.url:
        lead = Lead(style="link", name=heading.title, url=heading.url, after=after)
    else:
        lead = Lead(style="bold", name=heading.title, after=after)
    return Bullet(lead=lead, text=sentence)


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph, on one line (at most MORE_TEXT_LIMIT characters)."""
    line = " ".join(text.split())
    end = next((i for i, ch in enumerate(line) if ch in "。！？!?"), None)
    cut = line[: end + 1] if end is not None else line
    return cut[:MORE_TEXT_LIMIT].rstrip(" ：:，,；;")


def to_main(doc: Document, text: str, section_index: int) -> Document:
    """The document with a 更多动态 line turned into a story at the end of a section."""
    address, out = parse_address(text), _daily(doc).model_copy(deep=True)
    if address.kind != "m":
        raise EditError(f"{address} is not a 更多动态 line")
    target = _section(out, section_index)
    if isinstance(target, MoreSection) or is_story_section(target):
        raise EditError(f"section {section_index} does not hold ### stories")
    item = _drop_more_item(out, address)
    target.stories.append(_story_of(item))
    return _renumber(out)


def _story_of(item: Bullet) -> StoryNode:
    name = item.lead.name if item.lead else first_sentence(item.text)
    url = item.lead.url if item.lead and item.lead.url else None
    text = item.text if item.lead else ""
    blocks: list[Any] = [Paragraph(text=" ".join(text.split()))] if text.strip() else []
    return StoryNode(heading=Heading(level=3, title=name, url=url), blocks=[*blocks, Rule()])


# --- section numbers ----------------------------------------------------------------------


def _renumber(doc: Document) -> Document:
    """Chinese section numbers (一、二、…) in order again, if the sections used them."""
    if isinstance(doc, BriefDocument):
        return doc
    headings = [s.heading for s in doc.sections]
    if headings and all(CN_NUMBER_RE.fullmatch(h.number) for h in headings):
        for i, heading in enumerate(headings, start=1):
            heading.number = cn_number(i) + "、"
    return doc


def _next_number(doc: DailyDocument) -> str:
    numbered = [s for s in doc.sections if CN_NUMBER_RE.fullmatch(s.heading.number)]
    if doc.sections and len(numbered) == len(doc.sections):
        return cn_number(len(numbered) + 1) + "、"
    return ""


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (up to 99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_NUMERALS[tens - 1] + "十")
    return head + (CN_NUMERALS[ones - 1] if ones else "")

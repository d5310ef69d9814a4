"""Markdown → document model, for every layout the published archive uses.

Never raises on text: what it does not recognise becomes a generic block, so that
``render(parse(text)) == text`` holds for any input the parser accepts.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence

from pipeline.markdown.document import (
    MORE_TITLES,
    Block,
    BriefCategory,
    BriefDocument,
    BriefEntry,
    BriefField,
    BriefItem,
    Bullet,
    BulletList,
    DailyDocument,
    Document,
    Footer,
    Format,
    FrontField,
    FrontMatter,
    Heading,
    HeadingBlock,
    Html,
    Lead,
    Link,
    MoreGroup,
    MoreSection,
    Paragraph,
    Raw,
    Rule,
    SectionNode,
    Sources,
    StoryNode,
    WeeklyDocument,
    flow_list,
    quote_yaml,
)

logger = logging.getLogger(__name__)

Line = tuple[int, str]  # (blank lines before, text) of a non-empty line

_KEY = re.compile(r"([A-Za-z_][\w-]*):(.*)")
_BLOCK_ITEM = re.compile(r"  - (.*)")
_HEADING = re.compile(r"(#{1,6}) (.*)")
_FENCE = re.compile(r"[ \t]*(```|~~~)")
_ITEM = re.compile(r"([ \t]*)([-*+]|\d{1,9}[.)])( +|$)(.*)")
_AFTER = r"([：:，,。]?[ \t]*)"
_TITLE = r"((?:\\.|[^\]\\\n])*)"  # link text; backslash escapes such as \] allowed
_BOLDLINK = re.compile(r"\*\*\[" + _TITLE + r"\]\(([^()\s]*)\)([：:]?)\*\*" + _AFTER)
_BOLD = re.compile(r"\*\*([^*\n]+?)([：:]?)\*\*" + _AFTER)
_LINKLEAD = re.compile(r"\[" + _TITLE + r"\]\(([^()\s]*)\)" + _AFTER)
_LINK = re.compile(r"\[" + _TITLE + r"\]\(([^()\s]*)\)")
_LINK_SRC = r"\[(?:\\.|[^\]\\\n])*\]\([^()\s]*\)"
_SOURCES = re.compile(rf"(来源[：:] ?)({_LINK_SRC}(?: \| {_LINK_SRC})*)")
_NUMBER = re.compile(r"[一二三四五六七八九十百]+、|\d{1,3}[.、] ?")
_HEAD_LINK = re.compile(r"\[(.*)\]\(([^()\s]*)\)")
_BRIEF_FIELD = re.compile(r"([^\s:：\-*#<\[`][^:：\n]{0,11})([:：])(.*)")
_BRIEF_TITLE = re.compile(r"# \d{4}年\d{1,2}月\d{1,2}日")
_BRIEF_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


# --- lines and front matter -----------------------------------------------------------


def split_lines(text: str) -> tuple[list[str], bool]:
    """The text's lines and whether it ended with a newline."""
    newline = text.endswith("\n")
    return (text[:-1] if newline else text).split("\n"), newline


def front_bounds(lines: Sequence[str]) -> int | None:
    """Index of the closing ``---`` of a front matter starting at line 0, if closed."""
    if not lines or lines[0] != "---":
        return None
    return next((i for i in range(1, len(lines)) if lines[i] == "---"), None)


def parse_front(lines: Sequence[str]) -> FrontMatter:
    """The fields of the lines between the front-matter delimiters."""
    groups: list[list[str]] = []
    for line in lines:
        if groups and line[:1] in (" ", "\t") and _KEY.match(groups[-1][0]):
            groups[-1].append(line)
        else:
            groups.append([line])
    return FrontMatter(fields=[_front_field(group) for group in groups])


def _front_field(group: list[str]) -> FrontField:
    match = _KEY.fullmatch(group[0])
    if match is None:
        return FrontField(key="", style="raw", raw="\n".join(group))
    key, rest, cont = match.group(1), match.group(2), group[1:]
    items = [_BLOCK_ITEM.fullmatch(line) for line in cont]
    if cont and not rest and all(items):
        return FrontField(key=key, value=[m.group(1) for m in items if m], style="block")
    if not cont and not rest:
        return FrontField(key=key, value=None, style="empty")
    value = _decode(rest[1:] if rest.startswith(" ") else rest)
    if not cont and rest.startswith(" ") and rest[1:2] not in ("", " "):
        text = rest[1:]
        if isinstance(value, str) and text[0] == '"' and quote_yaml(value) == text:
            return FrontField(key=key, value=value, style="quoted")
        if isinstance(value, list) and flow_list(value) == text:
            return FrontField(key=key, value=value, style="flow")
        if text[0] not in "\"'[{":
            return FrontField(key=key, value=text, style="plain")
    return FrontField(key=key, value=value, style="raw", raw="\n".join(group))


def _decode(text: str) -> str | list[str] | None:
    """Best-effort value of a scalar or inline list; None when it is not valid."""
    if text[:1] in ('"', "["):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text.strip()


def body_lines(lines: Sequence[str]) -> tuple[list[Line], int]:
    """Non-empty lines with the blank lines before each, and the trailing blank count."""
    out: list[Line] = []
    gap = 0
    for line in lines:
        if line:
            out.append((gap, line))
            gap = 0
        else:
            gap += 1
    return out, gap


# --- leaf blocks ------------------------------------------------------------------------


def split_lead(text: str) -> tuple[Lead | None, str]:
    """The bold or linked head of a line, and the rest of the text."""
    if m := _BOLDLINK.match(text):
        lead = Lead(style="boldlink", name=m[1], url=m[2], inner=m[3], after=m[4])
    elif m := _BOLD.match(text):
        lead = Lead(style="bold", name=m[1], inner=m[2], after=m[3])
    elif m := _LINKLEAD.match(text):
        lead = Lead(style="link", name=m[1], url=m[2], after=m[3])
    else:
        return None, text
    return lead, text[m.end() :]


def _starts_block(line: str) -> bool:
    return bool(
        _HEADING.fullmatch(line)
        or line == "---"
        or line.startswith("<")
        or _ITEM.fullmatch(line)
        or _FENCE.match(line)
    )


def read_blocks(lines: Sequence[Line]) -> list[Block]:
    """Generic Markdown blocks of a run of lines, in order."""
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        block, i = _read_block(lines, i)
        blocks.append(block)
    return blocks


def _read_block(lines: Sequence[Line], i: int) -> tuple[Block, int]:
    gap, line = lines[i]
    if heading := _HEADING.fullmatch(line):
        return HeadingBlock(gap=gap, level=len(heading[1]), text=heading[2]), i + 1
    if line == "---":
        return Rule(gap=gap), i + 1
    if fence := _FENCE.match(line):
        return _read_fence(lines, i, fence[1])
    if line.startswith("<"):
        end = _run_end(lines, i + 1, lambda text: True)
        return Html(gap=gap, text=_join(lines[i:end])), end
    if _ITEM.fullmatch(line):
        return _read_list(lines, i)
    end = _run_end(lines, i + 1, lambda text: not _starts_block(text))
    text = _join(lines[i:end])
    if end == i + 1 and (sources := _SOURCES.fullmatch(text)):
        links = [Link(title=m[1], url=m[2]) for m in _LINK.finditer(sources[2])]
        return Sources(gap=gap, prefix=sources[1], links=links), end
    lead, rest = split_lead(text)
    return Paragraph(gap=gap, lead=lead, text=rest), end


def _run_end(lines: Sequence[Line], i: int, accept: Callable[[str], bool]) -> int:
    """End of the run of gap-0 lines from i that ``accept`` takes."""
    while i < len(lines) and lines[i][0] == 0 and accept(lines[i][1]):
        i += 1
    return i


def _join(lines: Sequence[Line]) -> str:
    """Lines back to text, blank lines included (the first line's gap excluded)."""
    parts = [lines[0][1]] if lines else []
    parts += ["\n" * gap + text for gap, text in lines[1:]]
    return "\n".join(parts)


def _read_fence(lines: Sequence[Line], i: int, fence: str) -> tuple[Block, int]:
    end = i + 1
    while end < len(lines) and not lines[end][1].lstrip().startswith(fence):
        end += 1
    end = min(end + 1, len(lines))
    return Raw(gap=lines[i][0], text=_join(lines[i:end])), end


def _read_list(lines: Sequence[Line], i: int) -> tuple[BulletList, int]:
    result = BulletList(gap=lines[i][0])
    stack: list[Bullet] = []
    while i < len(lines):
        gap, line = lines[i]
        item = _ITEM.fullmatch(line)
        if item:
            lead, text = split_lead(item[4])
            bullet = Bullet(
                gap=gap if stack else 0,
                indent=item[1],
                marker=item[2] + item[3],
                lead=lead,
                text=text,
            )
            while stack and len(stack[-1].indent) >= len(bullet.indent):
                stack.pop()
            (stack[-1].children if stack else result.items).append(bullet)
            stack.append(bullet)
        elif gap == 0 and stack and line[:1] in (" ", "\t"):
            stack[-1].text += "\n" + line
        else:
            break
        i += 1
    return result, i


# --- structure -------------------------------------------------------------------------


def to_heading(block: HeadingBlock) -> Heading:
    """A heading block as a structural heading: number prefix and link split off."""
    number = _NUMBER.match(block.text)
    prefix = number.group(0) if number else ""
    rest = block.text[len(prefix) :]
    link = _HEAD_LINK.fullmatch(rest)
    return Heading(
        gap=block.gap,
        level=block.level,
        number=prefix,
        title=link[1] if link else rest,
        url=link[2] if link else None,
    )


def _is_more(heading: Heading) -> bool:
    return heading.url is None and heading.title.strip() in MORE_TITLES


def sectionize(blocks: list[Block], *, more: bool) -> tuple[list[Block], list[SectionNode]]:
    """Split blocks into the intro and ``##`` sections with their ``###`` stories."""
    intro: list[Block] = []
    sections: list[SectionNode] = []
    target, in_more = intro, False
    for block in blocks:
        if isinstance(block, HeadingBlock) and block.level in (2, 3):
            heading = to_heading(block)
            is_more = more and _is_more(heading)
            if block.level == 2 or is_more or in_more or not sections:
                sections.append(SectionNode(heading=heading))
                target, in_more = sections[-1].blocks, is_more
            else:
                sections[-1].stories.append(StoryNode(heading=heading))
                target = sections[-1].stories[-1].blocks
            continue
        target.append(block)
    return intro, sections


def to_more(section: SectionNode) -> SectionNode | MoreSection:
    """The long-tail section as groups of items, or unchanged if it is not list-shaped."""
    blocks, groups, i = section.blocks, [], 0
    while i < len(blocks):
        block = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if _is_category(block) and isinstance(nxt, BulletList):
            assert isinstance(block, Paragraph)
            groups.append(MoreGroup(category=block, bullets=nxt))
            i += 2
        elif isinstance(block, BulletList):
            groups.append(MoreGroup(bullets=block))
            i += 1
        else:
            break
    if not groups or section.stories:
        return section
    return MoreSection(heading=section.heading, groups=groups, tail=blocks[i:])


def _is_category(block: Block) -> bool:
    return (
        isinstance(block, Paragraph)
        and block.lead is not None
        and block.lead.style == "bold"
        and not block.text
        and "\n" not in block.lead.after
    )


def _take_footer(blocks: list[Block]) -> Footer | None:
    if not blocks or not isinstance(blocks[-1], Html):
        return None
    html = blocks.pop()
    rule = blocks.pop() if blocks and isinstance(blocks[-1], Rule) else None
    assert isinstance(html, Html) and (rule is None or isinstance(rule, Rule))
    return Footer(rule=rule, html=html)


def parse_daily(text: str) -> DailyDocument:
    """A daily digest."""
    front, body, end_gap, newline = _prepare(text)
    blocks = read_blocks(body)
    footer = _take_footer(blocks)
    title = None
    if blocks and isinstance(first := blocks[0], HeadingBlock) and first.level == 1:
        title = to_heading(first)
        blocks.pop(0)
    intro, sections = sectionize(blocks, more=True)
    return DailyDocument(
        front=front,
        title=title,
        intro=intro,
        sections=[_maybe_more(s) for s in sections],
        footer=footer,
        end_gap=end_gap,
        trailing_newline=newline,
    )


def _maybe_more(section: SectionNode) -> SectionNode | MoreSection:
    return to_more(section) if _is_more(section.heading) else section


def parse_weekly(text: str) -> WeeklyDocument:
    """A weekly digest; what follows the last section's first ``---`` is the closing."""
    front, body, end_gap, newline = _prepare(text)
    intro, sections = sectionize(read_blocks(body), more=False)
    closing: list[Block] = []
    if sections:
        last = sections[-1]
        owner = last.stories[-1].blocks if last.stories else last.blocks
        cut = next((i for i, b in enumerate(owner[:-1]) if isinstance(b, Rule)), None)
        if cut is not None:
            closing = owner[cut + 1 :]
            del owner[cut + 1 :]
    return WeeklyDocument(
        front=front,
        intro=intro,
        sections=sections,
        closing=closing,
        end_gap=end_gap,
        trailing_newline=newline,
    )


def parse_brief(text: str) -> BriefDocument:
    """An industry brief: title, span line, bold categories of items."""
    _, body, end_gap, newline = _prepare(text, front=False)
    entries: list[BriefEntry] = []
    for chunk in _chunks(body):
        item = _brief_item(chunk)
        entries.extend([item] if item else read_blocks(chunk))
    doc = BriefDocument(end_gap=end_gap, trailing_newline=newline)
    if entries and isinstance(entries[0], HeadingBlock) and entries[0].level == 1:
        head = entries.pop(0)
        assert isinstance(head, HeadingBlock)
        doc.title = to_heading(head)
    for entry in entries:
        if isinstance(entry, Paragraph) and _is_category(entry):
            doc.categories.append(BriefCategory(label=entry))
        else:
            (doc.categories[-1].entries if doc.categories else doc.intro).append(entry)
    return doc


def _chunks(lines: Sequence[Line]) -> list[list[Line]]:
    chunks: list[list[Line]] = []
    for line in lines:
        if line[0] or not chunks:
            chunks.append([])
        chunks[-1].append(line)
    return chunks


def _brief_item(chunk: list[Line]) -> BriefItem | None:
    title = chunk[0][1]
    if len(chunk) < 2 or _starts_block(title) or title.startswith("**"):
        return None
    fields: list[BriefField] = []
    for _, line in chunk[1:]:
        if field := _BRIEF_FIELD.fullmatch(line):
            fields.append(BriefField(key=field[1], sep=field[2], value=field[3]))
        elif line.startswith("- ") and fields:
            fields[-1].bullets.append(line[2:])
        else:
            return None
    return BriefItem(gap=chunk[0][0], title=title, fields=fields)


def _prepare(text: str, *, front: bool = True) -> tuple[FrontMatter | None, list[Line], int, bool]:
    """Front matter, body lines, trailing blank lines, final newline."""
    lines, newline = split_lines(text)
    close = front_bounds(lines) if front else None
    matter = parse_front(lines[1:close]) if close is not None else None
    body, end_gap = body_lines(lines[close + 1 :] if close is not None else lines)
    return matter, body, end_gap, newline


def detect_format(text: str) -> Format:
    """Which layout a digest text uses."""
    lines, _ = split_lines(text)
    close = front_bounds(lines)
    if close is not None:
        keys = {field.key for field in parse_front(lines[1:close]).fields}
        return "weekly" if keys & {"layout", "scheduled", "description"} else "daily"
    first = next((line for line in lines if line), "")
    if _BRIEF_TITLE.match(first) or "\n来源出处:" in text or "\n说明:" in text:
        return "brief"
    return "daily"


def parse(text: str, fmt: Format | None = None) -> Document:
    """A digest text as a document of its (given or detected) format."""
    chosen = fmt or detect_format(text)
    logger.debug("parsing %d chars as %s", len(text), chosen)
    if chosen == "weekly":
        return parse_weekly(text)
    if chosen == "brief":
        return parse_brief(text)
    return parse_daily(text)

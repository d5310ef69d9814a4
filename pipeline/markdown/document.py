"""Digest document model: the structure of a published digest plus the layout facts that
make ``render(parse(text)) == text`` byte-identical.

Every element that starts on a new line carries ``gap``: the number of blank lines before
it. Anything the parser does not recognise is kept as a generic block (``Raw``,
``Paragraph``, ``HeadingBlock``), so well-formed Markdown always round-trips.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Format = Literal["daily", "weekly", "brief"]  # the Markdown shapes (formats/ is the pipeline's)
DOCUMENT_KINDS: tuple[Format, ...] = get_args(Format)
FieldStyle = Literal["plain", "quoted", "flow", "block", "empty", "raw"]
LeadStyle = Literal["bold", "link", "boldlink"]

BRIEF_SPAN = '<span style="color:#1677ff;font-size:18px;font-weight:bold;">AI行业动态</span>'
MORE_TITLES = ("更多动态", "其他动态")
ANALYSIS_LABEL = "深度解读 & 洞察"
IMPACT_LABEL = "影响"


class Node(BaseModel):
    """Base of every document element."""

    model_config = ConfigDict(extra="forbid")


# --- front matter -------------------------------------------------------------------


class FrontField(Node):
    """One front-matter key; ``raw`` holds the verbatim lines when style is ``raw``."""

    key: str
    value: str | list[str] | None = None
    style: FieldStyle = "plain"
    raw: str = ""


class FrontMatter(Node):
    """The ``---`` delimited header, fields in file order."""

    fields: list[FrontField] = Field(default_factory=list)

    def get(self, key: str) -> FrontField | None:
        """The first field with this key, if any."""
        return next((f for f in self.fields if f.key == key), None)

    def text(self, key: str) -> str | None:
        """The field's value when it is a string."""
        field = self.get(key)
        return field.value if field is not None and isinstance(field.value, str) else None

    def date(self) -> dt.date | None:
        """The ``date`` field as a date, if valid."""
        try:
            return dt.date.fromisoformat(self.text("date") or "")
        except ValueError:
            return None


def quote_yaml(value: str) -> str:
    """A YAML double-quoted scalar (JSON escapes are valid YAML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def flow_list(values: list[str]) -> str:
    """A compact inline list as the seeds write it: ``["AI","AI 日报"]``."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


# --- blocks -------------------------------------------------------------------------


class Lead(Node):
    """The bold or linked head of a paragraph or bullet: ``**name**：``, ``[name](url)：``."""

    style: LeadStyle = "bold"
    name: str
    url: str = ""
    inner: str = ""  # punctuation inside the bold: ``**影响：**``
    after: str = "："  # what follows the closing mark, before the text


class Link(Node):
    """A Markdown link."""

    title: str
    url: str


class Paragraph(Node):
    """Consecutive text lines; ``text`` may hold newlines."""

    kind: Literal["paragraph"] = "paragraph"
    gap: int = 1
    lead: Lead | None = None
    text: str = ""


class Bullet(Node):
    """One list item; continuation lines stay in ``text`` with their indentation."""

    gap: int = 0
    indent: str = ""
    marker: str = "- "
    lead: Lead | None = None
    text: str = ""
    children: list[Bullet] = Field(default_factory=list)


class BulletList(Node):
    """A list; ``gap`` of later items > 0 makes it loose."""

    kind: Literal["list"] = "list"
    gap: int = 1
    items: list[Bullet] = Field(default_factory=list)


class Rule(Node):
    """A ``---`` separator."""

    kind: Literal["rule"] = "rule"
    gap: int = 1


class Html(Node):
    """A run of HTML lines."""

    kind: Literal["html"] = "html"
    gap: int = 1
    text: str


class Sources(Node):
    """A weekly source line: ``来源：[a](u) | [b](u)``."""

    kind: Literal["sources"] = "sources"
    gap: int = 1
    prefix: str = "来源："
    links: list[Link] = Field(default_factory=list)


class HeadingBlock(Node):
    """A heading the structure does not place (kept in order)."""

    kind: Literal["heading"] = "heading"
    gap: int = 1
    level: int
    text: str


class Raw(Node):
    """Verbatim lines (fenced code, unrecognised brief items …)."""

    kind: Literal["raw"] = "raw"
    gap: int = 1
    text: str


Block = Annotated[
    Paragraph | BulletList | Rule | Html | Sources | HeadingBlock | Raw,
    Field(discriminator="kind"),
]


# --- daily / weekly structure ---------------------------------------------------------


class Heading(Node):
    """A structural heading: ``## 七、更多动态``, ``### [title](url)``."""

    gap: int = 1
    level: int = 2
    number: str = ""  # e.g. "一、"
    title: str
    url: str | None = None  # set when the heading is a link


class StoryNode(Node):
    """A ``###`` story and the blocks under it."""

    heading: Heading
    blocks: list[Block] = Field(default_factory=list)


class SectionNode(Node):
    """A section: heading, blocks before its first story, stories."""

    kind: Literal["section"] = "section"
    heading: Heading
    blocks: list[Block] = Field(default_factory=list)
    stories: list[StoryNode] = Field(default_factory=list)


class MoreGroup(Node):
    """A group of the long tail, under an optional bold category line."""

    category: Paragraph | None = None
    bullets: BulletList


class MoreSection(Node):
    """The long-tail section (更多动态 / 其他动态)."""

    kind: Literal["more"] = "more"
    heading: Heading
    groups: list[MoreGroup] = Field(default_factory=list)
    tail: list[Block] = Field(default_factory=list)


AnySection = Annotated[SectionNode | MoreSection, Field(discriminator="kind")]


class Footer(Node):
    """The closing ``---`` and the publication's footer (its HTML card) of a daily digest.

    What the footer says is the publication's, never the product's: generated drafts
    take it from the ``[publication] footer`` template (see ``profiles/``)."""

    rule: Rule | None = Field(default_factory=Rule)
    html: Html


class DailyDocument(Node):
    """An AI 日报 issue."""

    format: Literal["daily"] = "daily"
    front: FrontMatter | None = None
    title: Heading | None = None
    intro: list[Block] = Field(default_factory=list)
    sections: list[AnySection] = Field(default_factory=list)
    footer: Footer | None = None
    end_gap: int = 0
    trailing_newline: bool = False


class WeeklyDocument(Node):
    """A weekly digest (Eleventy front matter, ``##`` sections, closing lines)."""

    format: Literal["weekly"] = "weekly"
    front: FrontMatter | None = None
    intro: list[Block] = Field(default_factory=list)
    sections: list[SectionNode] = Field(default_factory=list)
    closing: list[Block] = Field(default_factory=list)
    end_gap: int = 0
    trailing_newline: bool = True

    def section(self, title: str) -> SectionNode | None:
        """The section with this heading title."""
        return next((s for s in self.sections if s.heading.title == title), None)


# --- brief structure ------------------------------------------------------------------


class BriefField(Node):
    """One ``key:value`` line of a brief item, with its ``- `` bullets (要点)."""

    key: str
    sep: str = ":"
    value: str = ""
    bullets: list[str] = Field(default_factory=list)


class BriefItem(Node):
    """A brief item: a title line and its fields, no blank lines inside."""

    kind: Literal["item"] = "item"
    gap: int = 1
    title: str
    fields: list[BriefField] = Field(default_factory=list)

    def field(self, key: str) -> BriefField | None:
        """The field with this key, if any."""
        return next((f for f in self.fields if f.key == key), None)


BriefEntry = Annotated[
    BriefItem | Paragraph | BulletList | Rule | Html | Sources | HeadingBlock | Raw,
    Field(discriminator="kind"),
]


class BriefCategory(Node):
    """A bold category line (``**政策与监管**``) and its items."""

    label: Paragraph
    entries: list[BriefEntry] = Field(default_factory=list)


class BriefDocument(Node):
    """An industry brief (AI行业动态)."""

    format: Literal["brief"] = "brief"
    title: Heading | None = None
    intro: list[BriefEntry] = Field(default_factory=list)
    categories: list[BriefCategory] = Field(default_factory=list)
    end_gap: int = 0
    trailing_newline: bool = True


Document = DailyDocument | WeeklyDocument | BriefDocument


# --- builder inputs (for writers generating weekly and brief drafts) ------------------


class WeeklyHighlight(BaseModel):
    """``- **title**，text`` (or ``- **title**。`` without text)."""

    title: str
    text: str = ""


class WeeklyTopic(BaseModel):
    """A ``###`` topic of Detailed Coverage."""

    title: str
    paragraphs: list[str] = Field(default_factory=list)
    bullets: list[str] = Field(default_factory=list)
    sources: list[Link] = Field(default_factory=list)


class WeeklyNewsGroup(BaseModel):
    """An item of 其他重要资讯: a bold label, a hard line break, the text."""

    label: str
    text: str


class WeeklyInput(BaseModel):
    """Everything the weekly template needs."""

    title: str
    date: dt.date
    scheduled: dt.date | None = None
    description: str = ""
    tags: list[str] = Field(default_factory=lambda: ["AI", "AI 周报"])
    layout: str = "layouts/post.njk"
    intro: str
    highlights: list[WeeklyHighlight] = Field(default_factory=list)
    topics: list[WeeklyTopic] = Field(default_factory=list)
    other_news: list[WeeklyNewsGroup] = Field(default_factory=list)
    summary: str = ""
    reading: list[Link] = Field(default_factory=list)
    closing: list[str] = Field(default_factory=list)  # the publication's sign-off lines
    archive: Link | None = None


class BriefItemInput(BaseModel):
    """One brief item: 说明 / 背景 / 要点 / 来源出处."""

    title: str
    explanation: str
    background: str = ""
    points: list[str] = Field(default_factory=list)
    source_name: str
    source_url: str


class BriefCategoryInput(BaseModel):
    """A brief category and its items."""

    name: str
    items: list[BriefItemInput] = Field(default_factory=list)


class BriefInput(BaseModel):
    """Everything the brief template needs."""

    date: dt.date
    categories: list[BriefCategoryInput] = Field(default_factory=list)

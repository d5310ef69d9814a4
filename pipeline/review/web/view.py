"""A parsed digest as the review page shows it: sections of stories, flags first.

Built from the document model (the same one the actions edit), block by block through
``markup``; a daily's ``##`` section without ``###`` stories is itself a story (the seed
layout), and each 更多动态 line and brief item is one too.
"""

from __future__ import annotations

from typing import Any, Literal

from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field

from pipeline.markdown.document import (
    BriefDocument,
    BriefItem,
    Bullet,
    DailyDocument,
    Document,
    FrontMatter,
    Heading,
    MoreSection,
    SectionNode,
    StoryNode,
)
from pipeline.review.web.citations import plain
from pipeline.review.web.edits import UNSUPPORTED_RE, is_story_section
from pipeline.review.web.markup import (
    Context,
    Flag,
    Unit,
    UnitKind,
    block_html,
    blocks_html,
    brief_item_html,
    bullet_html,
    heading_html,
    inline,
    paragraph_html,
)

__all__ = ["DraftView", "Flag", "SectionView", "Unit", "build_view"]


class SectionView(BaseModel):
    """A section: its heading, blocks before its stories, its stories."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: int
    kind: Literal["main", "more", "category"]
    heading: Markup
    intro: Markup = Markup("")
    units: list[Unit] = Field(default_factory=list)


class DraftView(BaseModel):
    """Everything the draft pane needs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    front: list[tuple[str, Markup]] = Field(default_factory=list)
    title: Markup = Markup("")
    intro: Markup = Markup("")
    sections: list[SectionView] = Field(default_factory=list)
    footer: str = ""
    flags: list[Flag] = Field(default_factory=list)

    def units(self) -> list[Unit]:
        """Every story, in page order."""
        return [u for s in self.sections for u in s.units]

    def unit(self, address: str) -> Unit | None:
        """The story at an address, if any."""
        return next((u for u in self.units() if u.address == address), None)


# --- the document --------------------------------------------------------------------------


def _front(front: FrontMatter | None, ctx: Context) -> list[tuple[str, Markup]]:
    rows: list[tuple[str, Markup]] = []
    for i, field in enumerate(front.fields if front else []):
        if field.style == "raw" or field.value is None:
            rows.append((field.key, Markup("<code>{}</code>").format(field.raw or "")))
        elif isinstance(field.value, list):
            rows.append((field.key, escape(", ".join(field.value))))
        elif "\n" in field.value:
            items, before = [], 0
            for line in field.value.split("\n"):
                items.append(
                    inline(line.removeprefix("- "), f"front.fields.{i}.value", ctx, before)
                )
                before += len(UNSUPPORTED_RE.findall(line))
            rows.append(
                (
                    field.key,
                    Markup("<ul>{}</ul>").format(
                        Markup("").join(Markup("<li>{}</li>").format(x) for x in items)
                    ),
                )
            )
        else:
            rows.append((field.key, inline(field.value, f"front.fields.{i}.value", ctx)))
    return rows


def _unit(ctx: Context, address: str, kind: UnitKind, heading: Heading) -> Unit:
    unit = Unit(address=address, kind=kind, title=plain(heading.title), url=heading.url)
    if heading.url:
        unit.urls.append(heading.url)
    ctx.unit = unit
    return unit


def _story_unit(story: StoryNode, address: str, path: str, ctx: Context) -> Unit:
    unit = _unit(ctx, address, "story", story.heading)
    unit.heading = heading_html(story.heading, f"{path}.heading", ctx)
    unit.body = blocks_html(story.blocks, f"{path}.blocks", ctx)
    ctx.unit = None
    return unit


def _main_section(section: SectionNode, index: int, ctx: Context, *, daily: bool) -> SectionView:
    """A section of stories; in a daily, a ``##`` section with no ``###`` is itself a story."""
    path = f"sections.{index}"
    if daily and is_story_section(section):
        unit = _unit(ctx, f"s{index}", "section", section.heading)
        unit.heading = heading_html(section.heading, f"{path}.heading", ctx)
        unit.body = blocks_html(section.blocks, f"{path}.blocks", ctx)
        ctx.unit = None
        return SectionView(index=index, kind="main", heading=Markup(""), units=[unit])
    view = SectionView(
        index=index,
        kind="main",
        heading=heading_html(section.heading, f"{path}.heading", ctx),
        intro=blocks_html(section.blocks, f"{path}.blocks", ctx),
    )
    for j, story in enumerate(section.stories):
        view.units.append(_story_unit(story, f"s{index}.{j}", f"{path}.stories.{j}", ctx))
    return view


def _more_section(section: MoreSection, index: int, ctx: Context) -> SectionView:
    path = f"sections.{index}"
    view = SectionView(
        index=index, kind="more", heading=heading_html(section.heading, f"{path}.heading", ctx)
    )
    for g, group in enumerate(section.groups):
        category = Markup("")
        if group.category is not None:
            category = paragraph_html(group.category, f"{path}.groups.{g}.category", ctx)
        for k, item in enumerate(group.bullets.items):
            view.units.append(
                _more_unit(
                    item, f"m{index}.{g}.{k}", f"{path}.groups.{g}.bullets.items.{k}", ctx, category
                )
            )
            category = Markup("")
    view.intro = Markup("")
    return view


def _more_unit(item: Bullet, address: str, path: str, ctx: Context, category: Markup) -> Unit:
    lead = item.lead
    unit = Unit(
        address=address,
        kind="more",
        title=plain(lead.name if lead else item.text),
        url=lead.url if lead and lead.url else None,
    )
    ctx.unit = unit
    unit.heading = category
    unit.body = Markup("<ul>{}</ul>").format(bullet_html(item, path, ctx))
    if unit.url:
        unit.urls.insert(0, unit.url)
    ctx.unit = None
    return unit


def _brief_sections(doc: BriefDocument, ctx: Context) -> list[SectionView]:
    views = []
    for c, category in enumerate(doc.categories):
        view = SectionView(
            index=c,
            kind="category",
            heading=paragraph_html(category.label, f"categories.{c}.label", ctx),
        )
        for e, entry in enumerate(category.entries):
            path = f"categories.{c}.entries.{e}"
            if not isinstance(entry, BriefItem):
                view.intro += block_html(entry, path, ctx)
                continue
            unit = Unit(address=f"b{c}.{e}", kind="brief", title=plain(entry.title))
            ctx.unit = unit
            unit.heading = Markup("<h3>{}</h3>").format(inline(entry.title, f"{path}.title", ctx))
            unit.body = brief_item_html(entry, path, ctx)
            ctx.unit = None
            view.units.append(unit)
        views.append(view)
    return views


def build_view(doc: Document) -> DraftView:
    """The review page's view of a parsed digest."""
    ctx = Context()
    view = DraftView()
    if isinstance(doc, BriefDocument):
        view.title = heading_html(doc.title, "title", ctx) if doc.title else Markup("")
        view.intro = blocks_html(list(doc.intro), "intro", ctx)
        view.sections = _brief_sections(doc, ctx)
    else:
        view.front = _front(doc.front, ctx)
        if isinstance(doc, DailyDocument) and doc.title is not None:
            view.title = heading_html(doc.title, "title", ctx)
        view.intro = blocks_html(list(doc.intro), "intro", ctx)
        for i, section in enumerate(doc.sections):
            if isinstance(section, MoreSection):
                view.sections.append(_more_section(section, i, ctx))
            else:
                daily = isinstance(doc, DailyDocument)
                view.sections.append(_main_section(section, i, ctx, daily=daily))
        if isinstance(doc, DailyDocument) and doc.footer is not None:
            view.footer = doc.footer.html.text
    view.flags = _mark_standalone(ctx.flags, doc)
    return view


def _mark_standalone(flags: list[Flag], doc: Document) -> list[Flag]:
    """Flag notes that are a paragraph of their own (no claim to delete around them)."""
    for flag in flags:
        if flag.path.endswith(".text") and flag.kind == "unsupported":
            flag.standalone = UNSUPPORTED_RE.fullmatch(_text_at(doc, flag.path).strip()) is not None
    return flags


def _text_at(doc: Document, path: str) -> str:
    node: Any = doc
    for part in path.split("."):
        node = node[int(part)] if part.isdigit() else getattr(node, part, "")
    return node if isinstance(node, str) else ""
